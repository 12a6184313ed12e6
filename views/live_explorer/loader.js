// The live explorer's code and style are files on the app's own route (web/assets.py),
// fetched once and kept by the browser, rather than resent inside every rerun's delta.
// Python fills in their addresses. Until both are in, the component's markup stays hidden,
// so it is never seen unstyled.
const CODE = "__CODE_URL__";
const STYLE = "__STYLE_URL__";
/** @type {Promise<typeof import("./live_explorer.js")> | null} */
let code = null;

// The stylesheet linked into this component's own root: null once it is in, else a promise
// that settles when it has loaded (or failed).
/**
 * @param {HTMLElement} root
 * @returns {Promise<unknown> | null}
 */
function style(root) {
  /** @type {HTMLLinkElement | null} */
  let link = root.querySelector("link[data-live-explorer-style]");
  if (link && link.sheet) return null;
  if (!link) {
    link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = STYLE;
    link.dataset.liveExplorerStyle = "";
    root.prepend(link);
  }
  const added = link;
  return new Promise((done) => {
    added.addEventListener("load", done, { once: true });
    added.addEventListener("error", done, { once: true });
  });
}

/** @param {import("./live_explorer.js").Component} component */
export default function loadLiveExplorer(component) {
  const root = component.parentElement;
  code ||= import(new URL(CODE, window.location.origin).href);
  const styled = style(root);
  /** @type {HTMLElement | null} */
  const markup = root.querySelector(".live");
  if (styled && markup) markup.style.visibility = "hidden";
  /** @type {(() => void) | null} */
  let cleanup = null;
  let gone = false;
  Promise.all([code, styled])
    .then(([module]) => {
      if (!gone) cleanup = module.default(component);
    })
    .catch((error) => console.error("live explorer: could not load its code", error))
    .finally(() => {
      if (markup) markup.style.visibility = "";
    });
  return () => {
    gone = true;
    if (cleanup) cleanup();
  };
}
