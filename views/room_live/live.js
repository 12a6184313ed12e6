// Live room updates: one EventSource per mounted component, turned into Streamlit reruns.
// Streamlit calls this function again on every rerun of the enclosing script or fragment,
// so what must outlive a rerun (the connection, the throttle) is kept per parentElement.
// At most one rerun per GAP_MS; the last change always gets one. Below the app's pacing of
// each connection's messages (web/stream_guard.py's PER_CONNECTION, 2 a second; tests/js
// checks it): a dashboard that asked for more during a busy room would build a queue there,
// and a click on Reveal would wait behind it.
export const GAP_MS = 600;
const RETRY_MS = [1000, 2000, 4000, 8000, 15000, 30000];
const MAX_RETRIES = 20; // after EventSource gave up (a non-200 answer): then stop
const EVENTS_URL = /^\/api\/rooms\/[A-Z0-9]{6}\/events\?role=(facilitator|participant)$/;

/**
 * What one mounted component keeps across reruns.
 * @typedef {Object} State
 * @property {string} url
 * @property {EventSource | null} source the stream listened to
 * @property {EventSource | null} previous the stream being rotated out
 * @property {number} opens
 * @property {number} retries
 * @property {ReturnType<typeof setTimeout> | null} retryTimer
 * @property {ReturnType<typeof setTimeout> | null} timer the scheduled rerun
 * @property {number} last when the latest rerun was asked for (ms)
 * @property {number} counter
 * @property {boolean} stopped
 * @property {(name: string, value: unknown) => void} trigger
 * @property {HTMLSpanElement | null} dot
 * @property {{ live: string, offline: string }} labels
 */

/** @type {WeakMap<HTMLElement, State>} */
const live = new WeakMap();

// A room's event stream as views/room_live's events_url() builds it (tests/js checks them).
/** @param {string} url */
export function isEventsUrl(url) {
  return EVENTS_URL.test(url);
}

/**
 * How long to wait before the next rerun, asked for at `now`, the latest one at `last`.
 * @param {number} last
 * @param {number} now
 */
export function rerunWait(last, now) {
  return Math.max(0, last + GAP_MS - now);
}

/** @param {State} state @param {EventSource | null} [previous] */
function connect(state, previous = null) {
  const source = new EventSource(state.url);
  state.source = source;
  state.previous = previous;
  source.onopen = () => {
    if (state.source !== source) return;
    state.retries = 0;
    show(state, true);
    if (state.previous) { // a planned rotation: the old stream delivered until now
      state.previous.close();
      state.previous = null;
      return;
    }
    state.opens += 1;
    if (state.opens > 1) changed(state); // reconnected: changes may have been missed
  };
  source.addEventListener("changed", () => changed(state)); // also from a rotating stream
  source.addEventListener("rotate", () => {
    if (state.source === source && !state.stopped) connect(state, source);
  });
  source.addEventListener("end", () => stop(state)); // the room has expired
  source.onerror = () => {
    if (state.source !== source) { // an old stream ending after a rotation
      source.close();
      return;
    }
    show(state, false);
    if (source.readyState !== EventSource.CLOSED || state.stopped) return;
    // EventSource retries network errors itself, but not an HTTP error (a proxy's 502
    // while the app restarts): retry a bounded number of times, backing off.
    if (state.retries >= MAX_RETRIES) return;
    const wait = RETRY_MS[Math.min(state.retries, RETRY_MS.length - 1)];
    state.retries += 1;
    state.retryTimer = setTimeout(() => state.stopped || connect(state), wait);
  };
}

/** @param {State} state */
function changed(state) {
  if (state.timer !== null) return; // a rerun is already scheduled: it reads this change too
  const wait = rerunWait(state.last, Date.now());
  state.timer = setTimeout(() => {
    state.timer = null;
    state.last = Date.now();
    state.counter += 1;
    state.trigger("changed", state.counter);
  }, wait);
}

/** @param {State} state @param {boolean} connected */
function show(state, connected) {
  if (!state.dot) return;
  state.dot.dataset.connected = connected ? "true" : "false";
  state.dot.setAttribute("aria-label", connected ? state.labels.live : state.labels.offline);
  state.dot.title = state.dot.getAttribute("aria-label") || "";
}

/** @param {State} state */
function stop(state) {
  state.stopped = true;
  clearTimeout(state.timer ?? undefined);
  clearTimeout(state.retryTimer ?? undefined);
  if (state.source) state.source.close();
  if (state.previous) state.previous.close();
  show(state, false);
}

/**
 * @param {{ data: { url?: unknown, live?: unknown, offline?: unknown } | null | undefined,
 *   parentElement: HTMLElement, setTriggerValue: (name: string, value: unknown) => void }}
 *   component
 */
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const url = data && typeof data.url === "string" ? data.url : "";
  let state = live.get(parentElement);
  if (state && state.url !== url) {
    stop(state);
    state = undefined;
  }
  if (!data || !isEventsUrl(url)) return undefined;
  if (!state) {
    state = {
      url, source: null, previous: null, opens: 0, retries: 0, retryTimer: null, timer: null, last: 0,
      counter: 0, stopped: false, trigger: setTriggerValue, dot: null,
      labels: { live: String(data.live || ""), offline: String(data.offline || "") },
    };
    if (state.labels.live) {
      state.dot = document.createElement("span");
      state.dot.className = "room-live-dot";
      state.dot.setAttribute("role", "img");
      parentElement.appendChild(state.dot);
      show(state, false);
    }
    live.set(parentElement, state);
    connect(state);
  }
  state.trigger = setTriggerValue; // the newest run's binding (its fragment)
  const mounted = state;
  return () => {
    stop(mounted);
    live.delete(parentElement);
  };
}
