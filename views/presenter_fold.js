// Presenter view on a page loaded from a link with presenter=1: fold the sidebar away once.
// Streamlit remembers a reader's last open/closed choice for the sidebar in localStorage and
// lets it outrank the page's initial_sidebar_state, so a facilitator who opened the sidebar
// once (to get to the live room, say) would see it open again after the next page load
// (creating a room is one: the claim route redirects). Folding it uses Streamlit's own
// collapse button; the remembered choice is then put back as it was, so that the next plain
// page load opens as the reader left it. Once per page load: in-app navigation does not
// load the page, and the sidebar stays as the facilitator sets it meanwhile.
const REMEMBERED = "stSidebarCollapsed-";

// Streamlit's remembered sidebar choices, by key.
/** @returns {Record<string, string>} */
export function remembered() {
  /** @type {Record<string, string>} */
  const kept = {};
  for (let i = 0; i < window.localStorage.length; i += 1) {
    const key = window.localStorage.key(i);
    const value = key && key.startsWith(REMEMBERED) ? window.localStorage.getItem(key) : null;
    if (key && value !== null) kept[key] = value;
  }
  return kept;
}

// Streamlit's remembered sidebar choices put back to `kept`, and only those.
/** @param {Record<string, string>} kept */
export function restore(kept) {
  for (const key of Object.keys(remembered())) {
    if (!(key in kept)) window.localStorage.removeItem(key);
  }
  for (const [key, value] of Object.entries(kept)) window.localStorage.setItem(key, value);
}

const TRIES = 60; // frames (about a second) for the sidebar to be drawn
// Set on <html> once this load's fold is decided (folded, or found folded): a test waits for it.
const DONE = "data-presenter-fold";

function fold(tries = TRIES) {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  /** @type {HTMLButtonElement | null} */
  const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (!sidebar || !button) {
    if (tries > 0) window.requestAnimationFrame(() => fold(tries - 1));
    else document.documentElement.setAttribute(DONE, "no-sidebar");
    return;
  }
  if (sidebar.getAttribute("data-collapsed") !== "false") {
    document.documentElement.setAttribute(DONE, "folded");
    return;
  }
  let kept = null;
  try {
    kept = remembered();
  } catch {
    kept = null; // storage not available: fold all the same
  }
  button.click();
  if (kept !== null) {
    try {
      restore(kept);
    } catch {
      // nothing to put back
    }
  }
  document.documentElement.setAttribute(DONE, "folded");
}

// Once per page load, across reruns and remounts.
const FOLDED = "__explorerPresenterFolded";

/** @param {{ data: { fold?: unknown } | null | undefined }} component */
export default function (component) {
  const { data } = component;
  /** @type {Window & { [FOLDED]?: boolean }} */
  const page = window;
  if (!data || data.fold !== true || page[FOLDED]) return undefined;
  page[FOLDED] = true;
  // After Streamlit has laid the sidebar out for this load (it opens it from its memory).
  window.requestAnimationFrame(() => fold());
  return undefined;
}
