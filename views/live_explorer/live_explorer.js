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

const SVG_NS = "http://www.w3.org/2000/svg";
const VALUE_KEYS = new Set([
  "ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown",
]);
const RING_LABEL_ANGLE = 18; // degrees: between the first two spokes, clear of the markers
const MARKER_SIZE = { normal: 4.5, presenter: 7 };
const MAX_RADIUS_EM = 14; // the radar never grows past this many label-font heights
const MAX_RADIUS_SCREEN = 0.3; // ... nor past this share of the window's height
const MIN_RADIUS = 60;

const views = new WeakMap();

function svg(tag, attributes = {}, parent = null) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (parent) parent.appendChild(element);
  return element;
}

function html(tag, attributes = {}, parent = null, text = null) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== null) element.textContent = text;
  if (parent) parent.appendChild(element);
  return element;
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function round1(value) {
  return Math.round(value * 10) / 10;
}

function pointsAttribute(corners) {
  return corners.map((corner) => corner.map(round1).join(",")).join(" ");
}

function markerPath(symbol, x, y, size) {
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

const TRACES = [
  { key: "mentoring", symbol: "circle" },
  { key: "coaching", symbol: "square" },
  { key: "needs", symbol: "diamond" },
];

// The legend of a radar: one item per trace (mentoring, coaching, then the drawn polygon),
// each with its line style and marker shape, so no trace is told apart by colour alone.
export function drawLegend(list, names) {
  list.replaceChildren();
  TRACES.forEach((trace, index) => {
    const item = html("li", {}, list);
    const sample = svg("svg", { viewBox: "0 0 36 14", "aria-hidden": "true" }, item);
    svg("line", { x1: 1, y1: 7, x2: 35, y2: 7, class: `trace trace-${trace.key}` }, sample);
    svg("path", { d: markerPath(trace.symbol, 18, 7, 4), class: `markers-${trace.key}` }, sample);
    html("span", {}, item, names[index]);
  });
}

// The radar: its axes, rings and the two approaches' profiles drawn once per size, then one
// polygon (the needs, or a room's average) moved on every frame. Its geometry (angles, scale,
// rings, axis order) comes from Python with the table.
export class Radar {
  constructor(svgElement) {
    this.svg = svgElement;
    this.table = null;
    this.presenter = false;
    this.geometry = null;
  }

  // New axes, profiles or presenter sizing: lay the radar out again on the next draw.
  setTable(table, presenter) {
    this.table = table;
    this.presenter = Boolean(presenter);
    this.geometry = null;
  }

  width() {
    return Math.round(this.svg.getBoundingClientRect().width);
  }

  // Draw `needs` (values in content dimension order); false when there is nowhere to draw.
  draw(needs) {
    if (!this.table) return false;
    if (!this.geometry) {
      this.geometry = this.layout();
      if (this.geometry) this.drawStatic(this.geometry);
    }
    const g = this.geometry;
    if (g) {
      const corners = this.polygon(g, needs);
      g.needsShape.setAttribute("points", pointsAttribute(corners));
      const markers = corners.map(([x, y]) => markerPath("diamond", x, y, g.marker));
      g.needsMarkers.setAttribute("d", markers.join(""));
    }
    this.svg.setAttribute("data-needs", JSON.stringify(needs));
    return true;
  }

  layout() {
    const table = this.table;
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
      return { dimension, text, lines };
    });
    this.svg.appendChild(labels);
    // Measured where the text is rendered; estimated where it is not (e.g. a hidden tab).
    const lineWidth = (span) =>
      span.getComputedTextLength() || span.textContent.length * font * 0.55;
    let radius = Math.min(MAX_RADIUS_EM * font, window.innerHeight * MAX_RADIUS_SCREEN);
    for (const block of blocks) {
      block.width = Math.max(...block.lines.map(lineWidth));
      const across = Math.sin((block.dimension.angle * Math.PI) / 180);
      if (Math.abs(across) >= 0.1) {
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
      block.text.setAttribute("x", round1(cx + block.x));
      block.text.setAttribute("y", round1(cy + block.top));
      block.lines.forEach((span, index) => {
        span.setAttribute("x", round1(cx + block.x));
        span.setAttribute("dy", round1(index === 0 ? lineHeight * 0.8 : lineHeight));
      });
    }
    this.svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    this.svg.setAttribute("width", String(width));
    this.svg.setAttribute("height", String(height));
    const marker = this.presenter ? MARKER_SIZE.presenter : MARKER_SIZE.normal;
    return { width, height, cx, cy, radius, labels, marker };
  }

  point(g, contentIndex, value) {
    const angle = (this.table.dimensions[contentIndex].angle * Math.PI) / 180;
    const [low, high] = this.table.scale;
    const clamped = Math.min(high, Math.max(low, Number(value)));
    const distance = (g.radius * (clamped - low)) / (high - low);
    return [g.cx + distance * Math.sin(angle), g.cy - distance * Math.cos(angle)];
  }

  polygon(g, values) {
    return this.table.axis_order.map((index) => this.point(g, index, values[index]));
  }

  drawStatic(g) {
    const table = this.table;
    const full = table.scale[1];
    const grid = svg("g", { class: "grid", "aria-hidden": "true" });
    this.svg.insertBefore(grid, g.labels);
    for (const level of table.rings) {
      const ring = this.polygon(g, table.dimensions.map(() => level));
      svg("polygon", { class: "ring", points: pointsAttribute(ring) }, grid);
    }
    for (const index of table.axis_order) {
      const [x, y] = this.point(g, index, full);
      const spoke = { x1: round1(g.cx), y1: round1(g.cy), x2: round1(x), y2: round1(y) };
      svg("line", { class: "spoke", ...spoke }, grid);
    }
    const traces = svg("g", { "aria-hidden": "true" }, this.svg);
    for (const trace of TRACES.slice(0, 2)) {
      const corners = this.polygon(g, table.profiles[trace.key].values);
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

export class LiveExplorer {
  constructor(root) {
    this.root = root;
    this.live = root.querySelector(".live");
    this.radar = new Radar(root.querySelector('[data-testid="live-radar"]'));
    this.headline = root.querySelector('[data-testid="live-verdict"]');
    this.words = root.querySelector(".words");
    this.leanNumber = root.querySelector(".lean-number");
    this.meter = root.querySelector(".meter");
    this.meterZone = root.querySelector(".meter-zone");
    this.meterMarker = root.querySelector(".meter-marker");
    this.sliderList = root.querySelector(".slider-list");
    this.legend = root.querySelector(".legend");
    this.summary = root.querySelector(".radar-summary");
    this.tableToggle = root.querySelector(".table-toggle");
    this.table = root.querySelector(".radar-table");
    this.abort = new AbortController();
    this.data = null;
    this.signature = "";
    this.sliders = [];
    this.release = null;
    this.reported = null;
    this.pointerDown = false;
    this.keyHeld = false;
    this.frame = 0;
    this.drawnIndex = -1;
    this.needCells = [];
    this.turn = 0;
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
      this.build();
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

  build() {
    const { table, words } = this.data;
    for (const element of this.root.querySelectorAll("[data-word]")) {
      setText(element, words[element.dataset.word] || "");
    }
    const tie = Number(table.tie_zone) || 0;
    this.meterZone.style.left = `${50 * (1 - tie)}%`;
    this.meterZone.style.width = `${100 * tie}%`;
    this.buildSliders();
    this.buildLegend();
    this.buildTable();
    // Labels or scale may have changed: lay the radar out again.
    this.radar.setTable(table, this.data.presenter);
  }

  buildSliders() {
    const signal = this.abort.signal;
    this.sliderList.replaceChildren();
    this.sliders = this.data.table.inputs.map((spec) => {
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

  showSlider({ spec, input, value }) {
    const position = Number(input.value);
    const label = spec.options[position].label;
    setText(value, label);
    if (input.getAttribute("aria-valuetext") !== label) {
      input.setAttribute("aria-valuetext", label);
    }
    input.style.setProperty("--fill", `${(100 * position) / (spec.options.length - 1)}%`);
  }

  buildLegend() {
    const { profiles } = this.data.table;
    drawLegend(this.legend, TRACES.map((trace) => profiles[trace.key].name));
  }

  buildTable() {
    const { table, words } = this.data;
    const head = this.table.querySelector("thead tr");
    head.replaceChildren();
    const { needs, mentoring, coaching } = table.profiles;
    for (const heading of [words.column_dimension, needs.name, mentoring.name, coaching.name]) {
      html("th", { scope: "col" }, head, heading || "");
    }
    const body = this.table.querySelector("tbody");
    body.replaceChildren();
    this.needCells = table.dimensions.map((dimension, index) => {
      const row = html("tr", {}, body);
      html("th", { scope: "row" }, row, dimension.label);
      const need = html("td", {}, row);
      html("td", {}, row, String(mentoring.values[index]));
      html("td", {}, row, String(coaching.values[index]));
      return need;
    });
    this.showTableWords();
  }

  toggleTable() {
    this.table.hidden = !this.table.hidden;
    this.showTableWords();
  }

  showTableWords() {
    const open = !this.table.hidden;
    this.tableToggle.setAttribute("aria-expanded", String(open));
    const words = this.data.words;
    setText(this.tableToggle, (open ? words.hide_table : words.show_table) || "");
  }

  // ------------------------------------------------------------------ inputs

  choice() {
    const chosen = {};
    for (const { spec, input } of this.sliders) {
      chosen[spec.id] = spec.options[Number(input.value)].id;
    }
    return chosen;
  }

  setChoice(inputs) {
    for (const { spec, input } of this.sliders) {
      const index = spec.options.findIndex((option) => option.id === inputs[spec.id]);
      if (index >= 0 && Number(input.value) !== index) input.value = String(index);
    }
    this.reported = this.choice();
  }

  busy() {
    return this.pointerDown || this.keyHeld;
  }

  commit() {
    if (!this.sliders.length) return;
    const chosen = this.choice();
    const same = ({ spec }) => this.reported && chosen[spec.id] === this.reported[spec.id];
    if (this.sliders.every(same)) return;
    this.reported = chosen;
    this.release = Math.max(Date.now(), Number(this.release) + 1 || 0);
    this.send("inputs", { ...chosen, release: this.release });
  }

  rowIndex() {
    let index = 0;
    for (const { spec, input } of this.sliders) {
      index = index * spec.options.length + Number(input.value);
    }
    return index;
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
    const index = this.rowIndex();
    const { table } = this.data;
    const raw = table.rows[index];
    if (!raw || index === this.drawnIndex) return;
    const field = (name) => raw[table.row_fields.indexOf(name)];
    const text = (name) => table.strings[field(name)] ?? "";
    const needs = field("needs");
    if (!this.radar.draw(needs)) return;
    this.drawnIndex = index;
    const lean = Math.max(-1, Math.min(1, Number(field("lean"))));
    const verdict = text("verdict");

    for (const entry of this.sliders) this.showSlider(entry);
    this.live.dataset.verdict = verdict;
    setText(this.headline, table.headlines[verdict] || "");
    setText(this.words, text("verdict_words"));
    setText(this.leanNumber, text("lean_words"));
    this.meter.setAttribute("aria-label", `${text("verdict_words")}: ${text("lean_words")}`);
    this.meterMarker.style.left = `${50 * (1 + lean)}%`;
    setText(this.summary, text("radar_summary"));
    needs.forEach((need, i) => setText(this.needCells[i], String(need)));
  }
}

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
