// The live explorer: four sliders, the radar and the verdict, redrawn in the browser on
// every input event. The browser never scores: Python sends the decision table
// (explorer/live_table.py) and this code only looks the row up and draws it, at most once
// per animation frame. On release it reports the chosen inputs to Python once.
//
// Test hooks (a contract): the radar root has data-testid="live-radar" and data-needs (the
// JSON list of needs drawn, in content dimension order); the verdict headline has
// data-testid="live-verdict"; each slider is a native range input labelled by its input.
//
// Everything from data is written with textContent or attributes, never as markup.
//
// The pure parts (row lookup, radar points, marker shapes, text filling) are exported and
// checked by tests/js/ against vectors that Python writes (tests/js/write_vectors.py).

/**
 * One main input as explorer/live_table.py sends it.
 * @typedef {{ id: string, label: string }} Option
 * @typedef {{ id: string, label: string, help: string, options: Option[] }} InputSpec
 * @typedef {{ id: string, label: string, lines: string[], angle: number, anchor: string }}
 *   Dimension
 * @typedef {{ name: string, colour: string, values: number[] }} ApproachProfile
 * @typedef {{ mentoring: ApproachProfile, coaching: ApproachProfile,
 *   needs: { name: string, colour: string } }} Profiles
 */

/**
 * The decision table (explorer/live_table.py's live_table()).
 * @typedef {Object} LiveTable
 * @property {Record<string, string>} [advanced]
 * @property {InputSpec[]} inputs
 * @property {Dimension[]} dimensions
 * @property {number[]} axis_order content indices in drawing order
 * @property {[number, number]} scale
 * @property {number[]} rings
 * @property {Profiles} profiles
 * @property {number} tie_zone
 * @property {Record<string, string>} headlines
 * @property {string[]} row_fields
 * @property {string[]} strings
 * @property {Array<Array<number | number[]>>} rows
 */

/**
 * What Python sends on every run: the table and this view's settings.
 * @typedef {Object} ViewData
 * @property {LiveTable} table
 * @property {Record<string, string>} [inputs]
 * @property {number | null} [release]
 * @property {boolean} [presenter]
 * @property {string | null} [presenter_text]
 * @property {Record<string, string>} words
 */

/**
 * One row of the table decoded (explorer/live_table.py's table_row()).
 * @typedef {Object} Row
 * @property {number[]} needs
 * @property {number} lean
 * @property {string} verdict
 * @property {string} verdict_words
 * @property {string} lean_words
 * @property {string} radar_summary
 * @property {string} headline
 */

/** @typedef {{ cx: number, cy: number, radius: number }} Centre */
/**
 * @typedef {Centre & { width: number, height: number, labels: SVGGElement, marker: number,
 *   needsShape?: SVGPolygonElement, needsMarkers?: SVGPathElement }} Geometry
 */
/** @typedef {[number, number]} Point */
/** @typedef {Record<string, string | number>} Attributes */

const SVG_NS = "http://www.w3.org/2000/svg";
const VALUE_KEYS = new Set([
  "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown",
]);
const RING_LABEL_ANGLE = 18; // degrees: between the first two spokes, clear of the markers
const MARKER_SIZE = { normal: 4.5, presenter: 7 };
export const LEGEND_MARKER_SIZE = 4; // the legend's markers: the brief's marker size
const MAX_RADIUS_EM = 14; // the radar never grows past this many label-font heights
const MAX_RADIUS_SCREEN = 0.3; // ... nor past this share of the window's height
const MIN_RADIUS = 60;

const views = new WeakMap();

/**
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {Element | null} [parent]
 * @returns {SVGElementTagNameMap[K]}
 */
function svg(tag, attributes = {}, parent = null) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
  if (parent) parent.appendChild(element);
  return element;
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {Element | null} [parent]
 * @param {string | null} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
function html(tag, attributes = {}, parent = null, text = null) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, String(value));
  }
  if (text !== null) element.textContent = text;
  if (parent) parent.appendChild(element);
  return element;
}

/** @param {Element} element @param {string} text */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/** @param {number} value */
export function round1(value) {
  return Math.round(value * 10) / 10;
}

/** @param {Point[]} corners */
export function pointsAttribute(corners) {
  return corners.map((corner) => corner.map(round1).join(",")).join(" ");
}

/**
 * A marker's outline as SVG path data: a square or a diamond, else a circle, centred on
 * (x, y); at size 4 the same shapes as the brief's SVG radar (explorer/render/svg.py).
 * @param {string} symbol
 * @param {number} x
 * @param {number} y
 * @param {number} size
 */
export function markerPath(symbol, x, y, size) {
  if (symbol === "square") {
    return `M${round1(x - size)},${round1(y - size)}h${2 * size}v${2 * size}h${-2 * size}Z`;
  }
  if (symbol === "diamond") {
    const d = size * 1.25;
    return `M${round1(x)},${round1(y - d)}l${d},${d}l${-d},${d}l${-d},${-d}Z`;
  }
  const arc = `a${size},${size} 0 1,0`;
  return `M${round1(x - size)},${round1(y)}${arc} ${2 * size},0${arc} ${-2 * size},0Z`;
}

// Each trace's marker, as explorer/render/figures.py gives its traces (tests/js checks it).
/** @type {ReadonlyArray<{ key: "mentoring" | "coaching" | "needs", symbol: string }>} */
export const TRACES = [
  { key: "mentoring", symbol: "circle" },
  { key: "coaching", symbol: "square" },
  { key: "needs", symbol: "diamond" },
];

// The legend of a radar: one item per trace (mentoring, coaching, then the drawn polygon),
// each with its line style and marker shape, so no trace is told apart by colour alone.
/** @param {Element} list @param {string[]} names */
export function drawLegend(list, names) {
  list.replaceChildren();
  TRACES.forEach((trace, index) => {
    const item = html("li", {}, list);
    const sample = svg("svg", { viewBox: "0 0 36 14", "aria-hidden": "true" }, item);
    svg("line", { x1: 1, y1: 7, x2: 35, y2: 7, class: `trace trace-${trace.key}` }, sample);
    const d = markerPath(trace.symbol, 18, 7, LEGEND_MARKER_SIZE);
    svg("path", { d, class: `markers-${trace.key}` }, sample);
    html("span", {}, item, names[index]);
  });
}

// ---------------------------------------------------------------------- pure functions

/**
 * Where `value` sits on the spoke of dimension `contentIndex` (screen coordinates, y down),
 * for a radar of `centre.radius` around (cx, cy); values outside the scale sit on its edge.
 * @param {LiveTable} table
 * @param {Centre} centre
 * @param {number} contentIndex
 * @param {number} value
 * @returns {Point}
 */
export function radarPoint(table, centre, contentIndex, value) {
  const angle = (table.dimensions[contentIndex].angle * Math.PI) / 180;
  const [low, high] = table.scale;
  const clamped = Math.min(high, Math.max(low, Number(value)));
  const distance = (centre.radius * (clamped - low)) / (high - low);
  return [centre.cx + distance * Math.sin(angle), centre.cy - distance * Math.cos(angle)];
}

/**
 * The corners of a profile (`values` in content dimension order), in drawing order.
 * @param {LiveTable} table
 * @param {Centre} centre
 * @param {number[]} values
 * @returns {Point[]}
 */
export function radarPolygon(table, centre, values) {
  return table.axis_order.map((index) => radarPoint(table, centre, index, values[index]));
}

/**
 * The row of the table for the main inputs at these option positions (one per input, in
 * the table's order): the first input is the most significant digit.
 * @param {InputSpec[]} specs
 * @param {number[]} positions
 */
export function rowIndex(specs, positions) {
  let index = 0;
  specs.forEach((spec, k) => {
    index = index * spec.options.length + positions[k];
  });
  return index;
}

/**
 * Each input's position of the option `inputs` names for it (-1 when it names none).
 * @param {InputSpec[]} specs
 * @param {Record<string, string>} inputs
 */
export function optionPositions(specs, inputs) {
  return specs.map((spec) => spec.options.findIndex((option) => option.id === inputs[spec.id]));
}

/**
 * The option ids at these positions, by input id.
 * @param {InputSpec[]} specs
 * @param {number[]} positions
 * @returns {Record<string, string>}
 */
export function optionIds(specs, positions) {
  /** @type {Record<string, string>} */
  const chosen = {};
  specs.forEach((spec, k) => {
    chosen[spec.id] = spec.options[positions[k]].id;
  });
  return chosen;
}

/**
 * Row `index` of the table decoded: its fields by name, words as text; null past the end.
 * @param {LiveTable} table
 * @param {number} index
 * @returns {Row | null}
 */
export function decodeRow(table, index) {
  const raw = table.rows[index];
  if (!raw) return null;
  /** @param {string} name */
  const field = (name) => raw[table.row_fields.indexOf(name)];
  /** @param {string} name */
  const text = (name) => table.strings[Number(field(name))] ?? "";
  const verdict = text("verdict");
  return {
    needs: /** @type {number[]} */ (field("needs")),
    lean: Number(field("lean")),
    verdict,
    verdict_words: text("verdict_words"),
    lean_words: text("lean_words"),
    radar_summary: text("radar_summary"),
    headline: table.headlines[verdict] || "",
  };
}

/**
 * The lean meter's layout in % of its width: the blend zone's left edge and width, and the
 * marker's position (lean is -1 coaching ... 1 mentoring, clamped).
 * @param {number} tieZone
 * @param {number} lean
 */
export function meterLayout(tieZone, lean) {
  const tie = Number(tieZone) || 0;
  const clamped = Math.max(-1, Math.min(1, Number(lean)));
  return { zoneLeft: 50 * (1 - tie), zoneWidth: 100 * tie, marker: 50 * (1 + clamped) };
}

/**
 * `template` with each {name} replaced by `values[name]`; unknown names are left as written.
 * @param {string} template
 * @param {Record<string, string>} values
 */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

// ---------------------------------------------------------------------- the radar

// The radar: its axes, rings and the two approaches' profiles drawn once per size, then one
// polygon (the needs, or a room's average) moved on every frame. Its geometry (angles, scale,
// rings, axis order) comes from Python with the table.
export class Radar {
  /** @param {SVGSVGElement} svgElement */
  constructor(svgElement) {
    this.svg = svgElement;
    /** @type {LiveTable | null} */
    this.table = null;
    this.presenter = false;
    /** @type {Geometry | null} */
    this.geometry = null;
    /** @type {Element | undefined} a legend kept with it (the participant page's picture) */
    this.legend = undefined;
  }

  // New axes, profiles or presenter sizing: lay the radar out again on the next draw.
  /** @param {LiveTable} table @param {boolean | undefined} presenter */
  setTable(table, presenter) {
    this.table = table;
    this.presenter = Boolean(presenter);
    this.geometry = null;
  }

  width() {
    return Math.round(this.svg.getBoundingClientRect().width);
  }

  // Draw `needs` (values in content dimension order); false when there is nowhere to draw.
  /** @param {number[]} needs */
  draw(needs) {
    const table = this.table;
    if (!table) return false;
    if (!this.geometry) {
      this.geometry = this.layout(table);
      if (this.geometry) this.drawStatic(table, this.geometry);
    }
    const g = this.geometry;
    if (g && g.needsShape && g.needsMarkers) {
      const corners = radarPolygon(table, g, needs);
      g.needsShape.setAttribute("points", pointsAttribute(corners));
      const markers = corners.map(([x, y]) => markerPath("diamond", x, y, g.marker));
      g.needsMarkers.setAttribute("d", markers.join(""));
    }
    this.svg.setAttribute("data-needs", JSON.stringify(needs));
    return true;
  }

  /**
   * @param {LiveTable} table
   * @returns {Geometry | null}
   */
  layout(table) {
    const width = Math.round(this.svg.getBoundingClientRect().width);
    if (width <= 0) return null;
    const font = parseFloat(getComputedStyle(this.svg).fontSize) || 13;
    const lineHeight = font * 1.15;
    const gap = font * 0.6;
    const pad = 4;
    this.svg.replaceChildren();
    const labels = svg("g", { class: "labels", "aria-hidden": "true" });
    const blocks = table.dimensions.map((dimension) => {
      const text = svg("text", { "text-anchor": dimension.anchor }, labels);
      const lines = dimension.lines.map((line) => {
        const span = svg("tspan", {}, text);
        span.textContent = line;
        return span;
      });
      return { dimension, text, lines, width: 0, x: 0, top: 0 };
    });
    this.svg.appendChild(labels);
    // Measured where the text is rendered; estimated where it is not (e.g. a hidden tab).
    /** @param {SVGTSpanElement} span */
    const lineWidth = (span) =>
      span.getComputedTextLength() || (span.textContent || "").length * font * 0.55;
    let radius = Math.min(MAX_RADIUS_EM * font, window.innerHeight * MAX_RADIUS_SCREEN);
    for (const block of blocks) {
      block.width = Math.max(...block.lines.map(lineWidth));
      // A label hanging left or right of its spoke (Python's text anchor) takes width.
      if (block.dimension.anchor !== "middle") {
        const across = Math.sin((block.dimension.angle * Math.PI) / 180);
        radius = Math.min(radius, (width / 2 - pad - block.width) / Math.abs(across) - gap);
      }
    }
    radius = Math.max(MIN_RADIUS, radius);
    // Place each label block at the end of its spoke, then fit the height around them all.
    let top = -radius;
    let bottom = radius;
    for (const block of blocks) {
      const angle = (block.dimension.angle * Math.PI) / 180;
      const x = (radius + gap) * Math.sin(angle);
      const y = -(radius + gap) * Math.cos(angle);
      const height = block.lines.length * lineHeight;
      const up = Math.cos(angle);
      const blockTop = up > 0.5 ? y - height : up < -0.5 ? y : y - height / 2;
      block.x = x;
      block.top = blockTop;
      top = Math.min(top, blockTop);
      bottom = Math.max(bottom, blockTop + height);
    }
    const cx = width / 2;
    const cy = pad - top;
    const height = Math.ceil(bottom - top + 2 * pad);
    for (const block of blocks) {
      block.text.setAttribute("x", String(round1(cx + block.x)));
      block.text.setAttribute("y", String(round1(cy + block.top)));
      block.lines.forEach((span, index) => {
        span.setAttribute("x", String(round1(cx + block.x)));
        span.setAttribute("dy", String(round1(index === 0 ? lineHeight * 0.8 : lineHeight)));
      });
    }
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", String(width));
    this.svg.setAttribute("height", String(height));
    const marker = this.presenter ? MARKER_SIZE.presenter : MARKER_SIZE.normal;
    return { width, height, cx, cy, radius, labels, marker };
  }

  /** @param {LiveTable} table @param {Geometry} g */
  drawStatic(table, g) {
    const full = table.scale[1];
    const grid = svg("g", { class: "grid", "aria-hidden": "true" });
    this.svg.insertBefore(grid, g.labels);
    for (const level of table.rings) {
      const ring = radarPolygon(table, g, table.dimensions.map(() => level));
      svg("polygon", { class: "ring", points: pointsAttribute(ring) }, grid);
    }
    for (const index of table.axis_order) {
      const [x, y] = radarPoint(table, g, index, full);
      const spoke = { x1: round1(g.cx), y1: round1(g.cy), x2: round1(x), y2: round1(y) };
      svg("line", { class: "spoke", ...spoke }, grid);
    }
    const traces = svg("g", { "aria-hidden": "true" }, this.svg);
    for (const trace of TRACES) {
      if (trace.key === "needs") continue; // drawn on every frame, below
      const corners = radarPolygon(table, g, table.profiles[trace.key].values);
      const markers = corners.map(([x, y]) => markerPath(trace.symbol, x, y, g.marker));
      const points = pointsAttribute(corners);
      svg("polygon", { class: `trace trace-${trace.key}`, points }, traces);
      svg("path", { class: `markers-${trace.key}`, d: markers.join("") }, traces);
    }
    g.needsShape = svg("polygon", { class: "trace trace-needs" }, traces);
    g.needsMarkers = svg("path", { class: "markers-needs" }, traces);
    // The scale on top, each number on a halo, so no trace hides it.
    const scale = svg("g", { "aria-hidden": "true" }, this.svg);
    const angle = (RING_LABEL_ANGLE * Math.PI) / 180;
    for (const level of table.rings) {
      const distance = (g.radius * level) / full;
      const x = round1(g.cx + distance * Math.sin(angle) + 3);
      const y = round1(g.cy - distance * Math.cos(angle) + 4);
      svg("text", { class: "ring-label", x, y }, scale).textContent = String(level);
    }
  }
}

/** @typedef {{ spec: InputSpec, input: HTMLInputElement, value: HTMLSpanElement }} Slider */

/**
 * The element `selector` finds in `root`, as the type the markup (live_explorer.html) has.
 * @template {Element} T
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {T}
 */
function part(root, selector) {
  return /** @type {T} */ (root.querySelector(selector));
}

export class LiveExplorer {
  /** @param {HTMLElement | ShadowRoot} root where live_explorer.html's markup is */
  constructor(root) {
    this.root = root;
    /** @type {HTMLElement} */
    this.live = part(root, ".live");
    this.radar = new Radar(part(root, '[data-testid="live-radar"]'));
    /** @type {HTMLElement} */
    this.headline = part(root, '[data-testid="live-verdict"]');
    /** @type {HTMLElement} */
    this.words = part(root, ".words");
    /** @type {HTMLElement} */
    this.leanNumber = part(root, ".lean-number");
    /** @type {HTMLElement} */
    this.meter = part(root, ".meter");
    /** @type {HTMLElement} */
    this.meterZone = part(root, ".meter-zone");
    /** @type {HTMLElement} */
    this.meterMarker = part(root, ".meter-marker");
    /** @type {HTMLElement} */
    this.sliderList = part(root, ".slider-list");
    /** @type {HTMLElement} */
    this.legend = part(root, ".legend");
    /** @type {HTMLElement} */
    this.summary = part(root, ".radar-summary");
    /** @type {HTMLButtonElement} */
    this.tableToggle = part(root, ".table-toggle");
    /** @type {HTMLTableElement} */
    this.table = part(root, ".radar-table");
    this.abort = new AbortController();
    /** @type {ViewData | null} */
    this.data = null;
    this.signature = "";
    /** @type {Slider[]} */
    this.sliders = [];
    /** @type {number | null} the latest release reported (a time stamp) or echoed back */
    this.release = null;
    /** @type {Record<string, string> | null} */
    this.reported = null;
    this.pointerDown = false;
    this.keyHeld = false;
    this.frame = 0;
    this.drawnIndex = -1;
    /** @type {HTMLTableCellElement[]} */
    this.needCells = [];
    this.turn = 0;
    /** @type {(name: string, value: unknown) => void} Python's setStateValue */
    this.send = () => {};

    const signal = this.abort.signal;
    const release = () => {
      if (!this.pointerDown) return;
      this.pointerDown = false;
      this.commit();
    };
    window.addEventListener("pointerup", release, { signal });
    window.addEventListener("pointercancel", release, { signal });
    this.tableToggle.addEventListener("click", () => this.toggleTable(), { signal });
    this.resizer = new ResizeObserver(() => {
      const width = this.radar.width();
      const drawn = this.radar.geometry;
      if (width > 0 && (!drawn || drawn.width !== width)) this.redrawAll();
    });
    this.resizer.observe(this.live);
  }

  destroy() {
    cancelAnimationFrame(this.frame);
    this.abort.abort();
    this.resizer.disconnect();
  }

  // ------------------------------------------------------------------ data from Python

  /** @param {ViewData | null | undefined} data */
  receive(data) {
    if (!data || !data.table || !Array.isArray(data.table.rows)) return;
    const first = this.data === null;
    this.data = data;
    this.live.classList.toggle("presenter", Boolean(data.presenter));
    // The page's presenter text size (a CSS length from Python), so both scale alike.
    this.live.style.setProperty("--presenter-text", data.presenter_text || "");
    const t = data.table;
    const signature = JSON.stringify([
      t.inputs, t.dimensions, t.profiles, t.rings, t.tie_zone, data.words, data.presenter,
    ]);
    if (signature !== this.signature) {
      const kept = this.sliders.length ? this.choice() : null;
      this.signature = signature;
      this.build(data);
      if (kept) this.setChoice(kept);
    }
    if (first) this.release = data.release ?? null;
    // Python's inputs win when it has seen this component's latest report (or this is the
    // first mount): then they are an echo, a correction, or a link / back-forward change.
    // Otherwise they come from a run that predates the latest release and are ignored.
    if (first || (data.release === this.release && !this.busy())) {
      this.setChoice(data.inputs || {});
    }
    this.drawnIndex = -1; // the rows may be new
    this.draw();
  }

  // Python sends everything gzipped (about a tenth of the JSON): the table goes out again on
  // every rerun. Decoding is asynchronous, so only the latest data sent is drawn.
  /** @param {BlobPart} bytes */
  async load(bytes) {
    const turn = ++this.turn;
    try {
      const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
      const data = JSON.parse(await new Response(stream).text());
      if (turn === this.turn) this.receive(data);
    } catch (error) {
      console.error("live explorer: unreadable data from Python", error);
    }
  }

  // ------------------------------------------------------------------ building

  /** @param {ViewData} data */
  build(data) {
    const { table, words } = data;
    for (const element of this.root.querySelectorAll("[data-word]")) {
      setText(element, words[/** @type {HTMLElement} */ (element).dataset.word || ""] || "");
    }
    const meter = meterLayout(table.tie_zone, 0);
    this.meterZone.style.left = `${meter.zoneLeft}%`;
    this.meterZone.style.width = `${meter.zoneWidth}%`;
    this.buildSliders(table);
    this.buildLegend(table);
    this.buildTable(table, words);
    // Labels or scale may have changed: lay the radar out again.
    this.radar.setTable(table, data.presenter);
  }

  /** @param {LiveTable} table */
  buildSliders(table) {
    const signal = this.abort.signal;
    this.sliderList.replaceChildren();
    this.sliders = table.inputs.map((spec) => {
      const id = `live-slider-${spec.id}`;
      const wrapper = html("div", { class: "slider" }, this.sliderList);
      const top = html("div", { class: "slider-top" }, wrapper);
      html("label", { for: id, title: spec.help }, top, spec.label);
      const value = html("span", { class: "slider-value", "aria-hidden": "true" }, top);
      const input = html("input", {
        type: "range",
        id,
        min: "0",
        max: String(spec.options.length - 1),
        step: "1",
        "aria-describedby": `${id}-help`,
      }, wrapper);
      const ends = html("div", { class: "slider-ends", "aria-hidden": "true" }, wrapper);
      html("span", {}, ends, spec.options[0].label);
      html("span", {}, ends, spec.options[spec.options.length - 1].label);
      html("p", { id: `${id}-help`, class: "sr-only" }, wrapper, spec.help);

      /** @type {Slider} */
      const entry = { spec, input, value };
      // The slider's own words change at once (assistive technology reads them with the new
      // value); the radar and the verdict follow in the next animation frame.
      input.addEventListener("input", () => {
        this.showSlider(entry);
        this.schedule();
      }, { signal });
      input.addEventListener("change", () => this.busy() || this.commit(), { signal });
      input.addEventListener("pointerdown", () => { this.pointerDown = true; }, { signal });
      input.addEventListener("keydown", (event) => {
        if (VALUE_KEYS.has(event.key)) this.keyHeld = true;
      }, { signal });
      input.addEventListener("keyup", (event) => {
        if (!VALUE_KEYS.has(event.key)) return;
        this.keyHeld = false;
        this.commit();
      }, { signal });
      input.addEventListener("blur", () => {
        this.keyHeld = false;
        this.commit();
      }, { signal });
      return entry;
    });
  }

  /** @param {Slider} slider */
  showSlider({ spec, input, value }) {
    const position = Number(input.value);
    const label = spec.options[position].label;
    setText(value, label);
    if (input.getAttribute("aria-valuetext") !== label) {
      input.setAttribute("aria-valuetext", label);
    }
    input.style.setProperty("--fill", `${(100 * position) / (spec.options.length - 1)}%`);
  }

  /** @param {LiveTable} table */
  buildLegend(table) {
    const { profiles } = table;
    drawLegend(this.legend, TRACES.map((trace) => profiles[trace.key].name));
  }

  /** @param {LiveTable} table @param {Record<string, string>} words */
  buildTable(table, words) {
    const head = part(this.table, "thead tr");
    head.replaceChildren();
    const { needs, mentoring, coaching } = table.profiles;
    for (const heading of [words.column_dimension, needs.name, mentoring.name, coaching.name]) {
      html("th", { scope: "col" }, head, heading || "");
    }
    const body = part(this.table, "tbody");
    body.replaceChildren();
    this.needCells = table.dimensions.map((dimension, index) => {
      const row = html("tr", {}, body);
      html("th", { scope: "row" }, row, dimension.label);
      const need = html("td", {}, row);
      html("td", {}, row, String(mentoring.values[index]));
      html("td", {}, row, String(coaching.values[index]));
      return need;
    });
    this.showTableWords(words);
  }

  toggleTable() {
    this.table.hidden = !this.table.hidden;
    if (this.data) this.showTableWords(this.data.words);
  }

  /** @param {Record<string, string>} words */
  showTableWords(words) {
    const open = !this.table.hidden;
    this.tableToggle.setAttribute("aria-expanded", String(open));
    setText(this.tableToggle, (open ? words.hide_table : words.show_table) || "");
  }

  // ------------------------------------------------------------------ inputs

  specs() {
    return this.sliders.map(({ spec }) => spec);
  }

  positions() {
    return this.sliders.map(({ input }) => Number(input.value));
  }

  // The option chosen on each slider, by input id.
  choice() {
    return optionIds(this.specs(), this.positions());
  }

  /** @param {Record<string, string>} inputs option ids by input id */
  setChoice(inputs) {
    const positions = optionPositions(this.specs(), inputs);
    this.sliders.forEach(({ input }, k) => {
      const index = positions[k];
      if (index >= 0 && Number(input.value) !== index) input.value = String(index);
    });
    this.reported = this.choice();
  }

  busy() {
    return this.pointerDown || this.keyHeld;
  }

  commit() {
    if (!this.sliders.length) return;
    const chosen = this.choice();
    /** @param {Slider} slider */
    const same = ({ spec }) => this.reported && chosen[spec.id] === this.reported[spec.id];
    if (this.sliders.every(same)) return;
    this.reported = chosen;
    this.release = Math.max(Date.now(), Number(this.release) + 1 || 0);
    this.send("inputs", { ...chosen, release: this.release });
  }

  // ------------------------------------------------------------------ drawing

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  redrawAll() {
    this.radar.geometry = null;
    this.drawnIndex = -1;
    this.draw();
  }

  draw() {
    if (!this.data || !this.sliders.length) return;
    const { table } = this.data;
    const index = rowIndex(this.specs(), this.positions());
    const row = decodeRow(table, index);
    if (!row || index === this.drawnIndex) return;
    const needs = row.needs;
    if (!this.radar.draw(needs)) return;
    this.drawnIndex = index;

    for (const entry of this.sliders) this.showSlider(entry);
    this.live.dataset.verdict = row.verdict;
    setText(this.headline, row.headline);
    setText(this.words, row.verdict_words);
    setText(this.leanNumber, row.lean_words);
    this.meter.setAttribute("aria-label", `${row.verdict_words}: ${row.lean_words}`);
    this.meterMarker.style.left = `${meterLayout(table.tie_zone, row.lean).marker}%`;
    setText(this.summary, row.radar_summary);
    needs.forEach((need, i) => setText(this.needCells[i], String(need)));
  }
}

/**
 * Streamlit's component arguments (st.components.v2) as this component uses them.
 * @typedef {Object} Component
 * @property {BlobPart} data the gzipped JSON of a ViewData
 * @property {HTMLElement} parentElement
 * @property {(name: string, value: unknown) => void} setStateValue
 */

/** @param {Component} component */
export default function liveExplorer(component) {
  const { data, parentElement, setStateValue } = component;
  let view = views.get(parentElement);
  if (!view) {
    view = new LiveExplorer(parentElement);
    views.set(parentElement, view);
  }
  view.send = setStateValue;
  view.load(data);
  // Streamlit calls the latest cleanup on unmount, but may also call an outdated one when
  // new data overtakes a pending call; so tear down only once the root has really gone.
  return () => {
    setTimeout(() => {
      if (parentElement.isConnected) return;
      view.destroy();
      views.delete(parentElement);
    }, 0);
  };
}
