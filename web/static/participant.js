// The participant's light page (web/participant.py serves it): the live explorer's own code
// without Streamlit. The page carries everything in one response: the explorer's markup in a
// declarative shadow root (its style scoped as on Explore), the decision table and this
// device's stored answer in a JSON element; this adapter mounts the explorer, sends the
// answer, shows it as stored, and follows the room's event stream.
//
// The identity cookie counts only with the proof the server gave the page it issued it to,
// kept here in this origin's own storage (a page on another port of the same host can plant
// a cookie, never this): without one, the page asks for a fresh identity before answering.
//
// The answer sent is read from the sliders at the moment of the tap, so a tap right after a
// drag sends what the sliders show, never an earlier value; a tap while an answer is on its
// way is sent after it, with the sliders as they were at that tap.

/** @typedef {import("../../views/live_explorer/live_explorer.js").LiveTable} LiveTable */
/** @typedef {import("../../views/live_explorer/live_explorer.js").ViewData} ViewData */
/** @typedef {import("../../views/live_explorer/live_explorer.js").Radar} Radar */

/**
 * An answer as the room stored it (web/participant.py's receipt).
 * @typedef {Object} Receipt
 * @property {string} submitted_at
 * @property {string[]} lines
 * @property {string} verdict_line
 * @property {Record<string, string>} answers
 */

/**
 * The room's state and, once revealed, its picture (the picture route's answer).
 * @typedef {Object} Shown
 * @property {boolean} [closed]
 * @property {boolean} [revealed]
 * @property {{ verdict: string, headline: string, count: number }[] | null} [distribution]
 * @property {string[]} [disagreement]
 * @property {number[]} [average]
 * @property {string} [summary]
 */

/**
 * What web/pages.py's participant_page() puts in the page.
 * @typedef {Object} Boot
 * @property {string} code
 * @property {LiveTable} table
 * @property {Omit<ViewData, "table">} view
 * @property {Record<string, string>} words
 * @property {Receipt | null} receipt
 * @property {string | null} proof
 * @property {Shown} room
 * @property {{ answer: string, identity: string, picture: string, events: string,
 *   live_explorer: string }} urls
 */

/**
 * The element of this page with `id`, as the type the template (participant.html) has.
 * @template {HTMLElement} T
 * @param {string} id
 * @returns {T}
 */
function byId(id) {
  return /** @type {T} */ (document.getElementById(id));
}

/**
 * The element `selector` finds in `root`, as the type the template has.
 * @template {Element} T
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {T}
 */
function part(root, selector) {
  return /** @type {T} */ (root.querySelector(selector));
}

/** @type {Boot} */
const boot = JSON.parse(byId("boot").textContent || "null");
const words = boot.words;
/** @type {typeof import("../../views/live_explorer/live_explorer.js")} */
const { LiveExplorer, Radar, drawLegend, fill } = await import(new URL(boot.urls.live_explorer, location.origin).href);

const RETRY_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const MAX_RETRIES = 20;
const SVG_NS = "http://www.w3.org/2000/svg";

/** @type {HTMLButtonElement} */
const button = byId("submit");
const statusLine = byId("status");
const receiptBox = byId("receipt");
const closedNotice = byId("closed");
const waitingNotice = byId("waiting");
const picture = byId("picture");

/** @param {HTMLElement} host @returns {ShadowRoot} */
function shadowOf(host) {
  if (host.shadowRoot) return host.shadowRoot;
  // A browser without declarative shadow roots leaves the template in place: attach it now.
  /** @type {HTMLTemplateElement | null} */
  const template = host.querySelector("template");
  const root = host.attachShadow({ mode: "open" });
  if (template) {
    root.append(template.content.cloneNode(true));
    template.remove();
  }
  return root;
}

/** @param {string} text */
function say(text, isError = false) {
  statusLine.textContent = text;
  statusLine.classList.toggle("error", isError);
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} className
 * @param {string} [text]
 * @param {Element} [parent]
 * @returns {HTMLElementTagNameMap[K]}
 */
function element(tag, className, text, parent) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  if (parent) parent.appendChild(made);
  return made;
}

// ---------------------------------------------------------------- the device proof

const PROOF_KEY = `explorer-proof-${boot.code}`;
/** @type {string | null} */
let proofInMemory = null; // where storage is unavailable: this page's life only

function storedProof() {
  try {
    return window.localStorage.getItem(PROOF_KEY) || proofInMemory;
  } catch {
    return proofInMemory;
  }
}

/** @param {string} proof */
function keepProof(proof) {
  proofInMemory = proof;
  try {
    window.localStorage.setItem(PROOF_KEY, proof);
  } catch {
    // storage unavailable: kept in memory
  }
}

if (boot.proof) keepProof(boot.proof);
// A stored answer of an identity this page was never given (a planted cookie) is not shown.
if (!storedProof() && boot.receipt) {
  boot.receipt = null;
  button.textContent = words.submit;
}

// A fresh identity for this page: null when given, else the refusal's body.
/** @returns {Promise<{ error?: string } | null>} */
async function freshIdentity() {
  const response = await fetch(boot.urls.identity, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: "{}",
    credentials: "same-origin",
    cache: "no-store",
  });
  const body = await response.json().catch(() => ({}));
  if (response.ok && body.proof) keepProof(body.proof);
  return response.ok ? null : body;
}

/** @param {Record<string, string>} chosen */
function postAnswer(chosen) {
  return fetch(boot.urls.answer, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Explorer-Proof": storedProof() || "" },
    body: JSON.stringify(chosen),
    credentials: "same-origin",
    cache: "no-store",
  });
}

// ---------------------------------------------------------------- the explorer

const explorer = new LiveExplorer(shadowOf(byId("explorer")));
explorer.send = () => {}; // no Python to tell: the answer goes out on the button
explorer.receive({ table: boot.table, ...boot.view });

// ---------------------------------------------------------------- the answer

let answered = false; // an answer of this device is stored: the next one updates it
let sending = false;
/** @type {Record<string, string> | null} */
let queued = null;

/** @param {Receipt | null} receipt */
function showReceipt(receipt) {
  if (!receipt) return;
  const time = new Date(receipt.submitted_at);
  const clock = Number.isNaN(time.getTime())
    ? receipt.submitted_at
    : time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  part(receiptBox, ".receipt-time").textContent = fill(
    answered ? words.updated : words.saved,
    { time: clock },
  );
  answered = true;
  const list = part(receiptBox, ".receipt-lines");
  list.replaceChildren(...receipt.lines.map((line) => element("li", "", line)));
  part(receiptBox, ".receipt-verdict").textContent = receipt.verdict_line;
  receiptBox.dataset.answers = JSON.stringify(receipt.answers);
  receiptBox.dataset.submittedAt = receipt.submitted_at;
  receiptBox.hidden = false;
  // Visibly new on every update, even when the words are the same as before.
  receiptBox.classList.remove("fresh");
  void receiptBox.offsetWidth;
  receiptBox.classList.add("fresh");
  button.textContent = words.update;
}

/** @param {Record<string, string>} chosen */
async function send(chosen) {
  sending = true;
  say(words.saving);
  try {
    let refused = storedProof() ? null : await freshIdentity();
    let response = refused ? null : await postAnswer(chosen);
    let body = response ? await response.json().catch(() => ({})) : refused;
    if (response && body.reason === "device") { // not this page's identity: get one, once
      refused = await freshIdentity();
      response = refused ? null : await postAnswer(chosen);
      body = response ? await response.json().catch(() => ({})) : refused;
    }
    if (!response) {
      say(fill(words.not_saved, { reason: body.error || words.offline }), true);
      return;
    }
    if (response.ok && body.receipt) {
      say("");
      showReceipt(body.receipt);
      // How many answers this page has had stored (a hook for tests and probes).
      receiptBox.dataset.storedCount = String(Number(receiptBox.dataset.storedCount || 0) + 1);
    } else {
      say(fill(words.not_saved, { reason: body.error || words.offline }), true);
      if (response.status === 409) refreshPicture();
    }
  } catch {
    say(fill(words.not_saved, { reason: words.offline }), true);
  } finally {
    sending = false;
    if (queued) {
      const next = queued;
      queued = null;
      send(next);
    }
  }
}

button.addEventListener("click", () => {
  const chosen = explorer.choice(); // the sliders as they are at this tap
  if (sending) queued = chosen;
  else send(chosen);
});

// ---------------------------------------------------------------- the room

/** @type {Radar | null} */
let pictureRadar = null;

/**
 * @param {Element} list
 * @param {{ verdict: string, headline: string, count: number }[]} distribution
 */
function drawDistribution(list, distribution) {
  const total = distribution.reduce((sum, item) => sum + item.count, 0) || 1;
  list.replaceChildren(
    ...distribution.map((item) => {
      const row = element("li", `verdict-${item.verdict}`);
      element("span", "bar-label", item.headline, row);
      const track = element("span", "bar-track", undefined, row);
      const bar = element("span", "bar", undefined, track);
      bar.style.setProperty("--share", `${(100 * item.count) / total}%`);
      element("span", "bar-count", String(item.count), row);
      return row;
    }),
  );
}

/** @param {HTMLElement} holder @param {Shown} shown */
function drawAverage(holder, shown) {
  if (!pictureRadar) {
    const root = holder.attachShadow({ mode: "open" });
    const style = document.createElement("link");
    style.rel = "stylesheet";
    /** @type {HTMLLinkElement} */
    const explorerStyle = part(explorer.root, "link[rel=stylesheet]");
    style.href = explorerStyle.href;
    const live = element("div", "live");
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "radar");
    svg.setAttribute("role", "img");
    svg.dataset.testid = "room-radar";
    live.appendChild(svg);
    const legend = element("ul", "legend", undefined, live);
    legend.dataset.for = "room";
    root.append(style, live);
    pictureRadar = new Radar(svg);
    pictureRadar.setTable(boot.table, false);
    pictureRadar.legend = legend;
  }
  const radar = pictureRadar;
  radar.svg.setAttribute("aria-label", shown.summary || "");
  const { mentoring, coaching } = boot.table.profiles;
  if (radar.legend) {
    drawLegend(radar.legend, [mentoring.name, coaching.name, words.average_trace]);
  }
  // Drawn once it has a width (the section was hidden until now).
  requestAnimationFrame(() => {
    radar.geometry = null;
    radar.draw(shown.average || []);
  });
}

/** @param {Shown} shown */
function showRoom(shown) {
  const closed = Boolean(shown.closed);
  closedNotice.hidden = !closed;
  button.disabled = closed;
  for (const { input } of explorer.sliders) input.disabled = closed;
  const revealed = Boolean(shown.revealed && shown.distribution);
  waitingNotice.hidden = revealed || closed;
  waitingNotice.textContent = words.waiting;
  picture.hidden = !revealed;
  if (!revealed) return;
  part(picture, ".picture-distribution-heading").textContent = words.distribution_heading;
  part(picture, ".picture-average-heading").textContent = words.average_heading;
  part(picture, ".picture-disagree-heading").textContent = words.disagree_heading;
  drawDistribution(part(picture, ".distribution"), shown.distribution || []);
  part(picture, ".disagreement").replaceChildren(
    ...(shown.disagreement || []).map((line) => element("li", "", line)),
  );
  drawAverage(part(picture, ".picture-radar"), shown);
}

let pictureTurn = 0;
async function refreshPicture() {
  const turn = ++pictureTurn;
  try {
    const response = await fetch(boot.urls.picture, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    /** @type {Shown} */
    const shown = await response.json();
    if (turn === pictureTurn) showRoom(shown);
  } catch {
    // offline for a moment: the stream reconnects and asks again
  }
}

// The participant stream says only that the room's revealed/closed flags changed. Each
// stream rotates every ~20 s ("rotate": open the next, the old one still delivers until
// then); "end" means the room expired. EventSource retries network errors by itself; an
// HTTP error (a proxy's 502 during a restart) is retried here, a bounded number of times.
/**
 * @type {{ source: EventSource | null, previous: EventSource | null, opens: number,
 *   retries: number, stopped: boolean }}
 */
const stream = { source: null, previous: null, opens: 0, retries: 0, stopped: false };

/** @param {EventSource | null} [previous] */
function connect(previous = null) {
  const source = new EventSource(boot.urls.events);
  stream.source = source;
  stream.previous = previous;
  source.onopen = () => {
    if (stream.source !== source) return;
    stream.retries = 0;
    if (stream.previous) {
      stream.previous.close();
      stream.previous = null;
      return;
    }
    stream.opens += 1;
    if (stream.opens > 1) refreshPicture(); // reconnected: a change may have been missed
  };
  source.addEventListener("changed", refreshPicture);
  source.addEventListener("rotate", () => {
    if (stream.source === source && !stream.stopped) connect(source);
  });
  source.addEventListener("end", () => {
    stream.stopped = true;
    source.close();
    say(words.expired, true);
    button.disabled = true;
  });
  source.onerror = () => {
    if (stream.source !== source) {
      source.close();
      return;
    }
    if (source.readyState !== EventSource.CLOSED || stream.stopped) return;
    if (stream.retries >= MAX_RETRIES) return;
    const wait = RETRY_MS[Math.min(stream.retries, RETRY_MS.length - 1)];
    stream.retries += 1;
    setTimeout(() => stream.stopped || connect(), wait);
  };
}

showReceipt(boot.receipt);
showRoom(boot.room);
if (boot.room.revealed) refreshPicture();
button.disabled = Boolean(boot.room.closed);
document.body.dataset.ready = "true";
connect();
