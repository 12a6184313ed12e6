// The live explorer's pure functions against what Python computes (vectors.mjs).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  LEGEND_MARKER_SIZE,
  TRACES,
  decodeRow,
  fill,
  markerPath,
  meterLayout,
  optionIds,
  optionPositions,
  pointsAttribute,
  radarPoint,
  radarPolygon,
  round1,
  rowIndex,
} from "../../views/live_explorer/live_explorer.js";
import { close, vectors } from "./vectors.mjs";

describe("the decision table's rows (explorer/live_table.py)", () => {
  for (const { advanced, table, rows } of vectors.tables) {
    const label = JSON.stringify(advanced);

    it(`finds every row where row_index() puts it, advanced ${label}`, () => {
      assert.equal(rows.length, table.rows.length);
      for (const { inputs, index } of rows) {
        const positions = optionPositions(table.inputs, inputs);
        assert.ok(positions.every((p) => p >= 0), `unknown option in ${JSON.stringify(inputs)}`);
        assert.equal(rowIndex(table.inputs, positions), index, JSON.stringify(inputs));
        assert.deepEqual(optionIds(table.inputs, positions), inputs);
      }
    });

    it(`decodes every row as table_row() does, advanced ${label}`, () => {
      for (const { index, row } of rows) {
        const decoded = decodeRow(table, index);
        assert.ok(decoded, `row ${index}`);
        for (const name of Object.keys(decoded)) {
          assert.deepEqual(decoded[name], row[name], `row ${index}, ${name}`);
        }
      }
      assert.equal(decodeRow(table, table.rows.length), null);
    });
  }

  it("leaves a slider whose option is unknown where it is (-1)", () => {
    const { table } = vectors.tables[0];
    const positions = optionPositions(table.inputs, { [table.inputs[0].id]: "no such option" });
    assert.deepEqual(positions, table.inputs.map(() => -1));
  });
});

describe("the radar (explorer/radar_geometry.py)", () => {
  const { table, cases } = vectors.radar;

  it("puts every corner where RadarGeometry.polygon() does", () => {
    assert.ok(cases.length > 0);
    for (const { values, centre, points } of cases) {
      // Python sends the angles rounded to 0.01°: a hair's difference at the rim.
      const tolerance = 1e-4 * centre.radius + 1e-9;
      const message = `values ${JSON.stringify(values)} at ${JSON.stringify(centre)}`;
      close(radarPolygon(table, centre, values), points, tolerance, message);
    }
  });

  it("puts the scale's low end at the centre and its high end on the rim", () => {
    const centre = { cx: 50, cy: 60, radius: 40 };
    const [low, high] = table.scale;
    for (let index = 0; index < table.dimensions.length; index += 1) {
      close(radarPoint(table, centre, index, low), [50, 60], 1e-9, `axis ${index} low`);
      const [x, y] = radarPoint(table, centre, index, high);
      close(Math.hypot(x - 50, y - 60), 40, 1e-9, `axis ${index} high`);
    }
  });

  it("writes corners as SVG points, to one decimal", () => {
    assert.equal(pointsAttribute([[1.04, 2.06], [-3.25, 10]]), "1,2.1 -3.2,10");
    assert.equal(round1(2.449), 2.4);
  });
});

// A marker's path data (markerPath's three shapes) as the shape it draws.
function shapeOf(path) {
  const tokens = path.match(/[MmHhVvLlAaZz]|-?\d+(?:\.\d+)?/g);
  let i = 0;
  const number = () => Number(tokens[i++]);
  let x = 0;
  let y = 0;
  const corners = [];
  const arcs = [];
  while (i < tokens.length) {
    const command = tokens[i++];
    if (command === "M") {
      x = number();
      y = number();
      corners.push([x, y]);
    } else if (command === "h") {
      x += number();
      corners.push([x, y]);
    } else if (command === "v") {
      y += number();
      corners.push([x, y]);
    } else if (command === "l") {
      x += number();
      y += number();
      corners.push([x, y]);
    } else if (command === "a") {
      const [rx, ry, , , , dx, dy] = [number(), number(), number(), number(), number(), number(), number()];
      arcs.push({ from: [x, y], rx, ry, dx, dy });
      x += dx;
      y += dy;
    } else if (command !== "Z" && command !== "z") {
      throw new Error(`unexpected path command ${command} in ${path}`);
    }
  }
  if (arcs.length) {
    // Two half circles across a diameter: the circle around its middle.
    const [first] = arcs;
    assert.equal(first.rx, first.ry);
    return { kind: "circle", cx: first.from[0] + first.dx / 2, cy: first.from[1] + first.dy / 2, r: first.rx };
  }
  const xs = corners.map(([cx]) => cx);
  const ys = corners.map(([, cy]) => cy);
  const axisAligned = corners.every(([cx, cy]) =>
    (cx === Math.min(...xs) || cx === Math.max(...xs)) && (cy === Math.min(...ys) || cy === Math.max(...ys)));
  if (axisAligned) {
    const left = Math.min(...xs);
    const top = Math.min(...ys);
    return { kind: "rect", x: left, y: top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
  }
  const last = corners.at(-1);
  const closed = corners.length > 1 && last[0] === corners[0][0] && last[1] === corners[0][1];
  return { kind: "polygon", points: closed ? corners.slice(0, -1) : corners };
}

describe("markers and legend (explorer/render/figures.py, explorer/render/svg.py)", () => {
  it("gives each trace the marker symbol Python's traces have, in legend order", () => {
    const expected = vectors.markers.traces.map(({ key, symbol }) => ({ key, symbol }));
    assert.deepEqual(TRACES.map(({ key, symbol }) => ({ key, symbol })), expected);
  });

  it("names the legend's traces as Python's traces are named", () => {
    const { profiles } = vectors.radar.table;
    assert.deepEqual(
      TRACES.map((trace) => profiles[trace.key].name),
      vectors.markers.traces.map(({ name }) => name),
    );
  });

  it("draws the legend's markers as the brief's SVG radar draws them", () => {
    for (const { symbol, x, y, shape } of vectors.markers.shapes) {
      const drawn = shapeOf(markerPath(symbol, x, y, LEGEND_MARKER_SIZE));
      assert.equal(drawn.kind, shape.kind, `${symbol} at ${x},${y}`);
      for (const [name, value] of Object.entries(shape)) {
        if (name !== "kind") close(drawn[name], value, 0.051, `${symbol} at ${x},${y}: ${name}`);
      }
    }
  });
});

describe("the lean meter (explorer/render/figures.py's lean_meter_html)", () => {
  it("places the blend zone and the marker as Python's meter does", () => {
    for (const { tie_zone, lean, zone_left, zone_width, marker } of vectors.meter) {
      const layout = meterLayout(tie_zone, lean);
      close(layout.zoneLeft, zone_left, 0.051, `zone left, lean ${lean}`);
      close(layout.zoneWidth, zone_width, 0.051, `zone width, lean ${lean}`);
      close(layout.marker, marker, 0.051, `marker, lean ${lean}`);
    }
  });

  it("keeps the marker on the meter", () => {
    assert.equal(meterLayout(0.2, 3).marker, 100);
    assert.equal(meterLayout(0.2, -3).marker, 0);
    assert.equal(meterLayout(Number.NaN, 0).zoneWidth, 0);
  });
});

describe("filling in words (explorer/content.py's Content.text)", () => {
  it("fills the participant page's words as Python would", () => {
    for (const { name, template, values, expected } of vectors.fill) {
      assert.equal(fill(template, values), expected, name);
    }
  });

  it("leaves a name it has no value for as written", () => {
    assert.equal(fill("at {time} for {who}", { time: "9:00" }), "at 9:00 for {who}");
  });
});
