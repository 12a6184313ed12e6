// The live explorer's code and style are files on the app's own route (web/assets.py),
// fetched once and kept by the browser, rather than resent inside every rerun's delta.
// Python fills in their addresses. Until both are in, the component's markup stays hidden,
// so it is never seen unstyled.
const CODE = "__CODE_URL__";
const STYLE = "__STYLE_URL__";
let code = null;

// The stylesheet linked into this component's own root: null once it is in, else a promise
// that settles when it has loaded (or failed).
function style(root) {
  let link = root.querySelector("link[data-live-explorer-style]");
  if (link && link.sheet) return null;
  if (!link) {
    link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = STYLE;
    link.dataset.liveExplorerStyle = "";
    root.prepend(link);
  }
  return new Promise((done) => {
    link.addEventListener("load", done, { once: true });
    link.addEventListener("error", done, { once: true });
  });
}

export default function loadLiveExplorer(component) {
  const root = component.parentElement;
  code ||= import(new URL(CODE, window.location.origin).href);
  const styled = style(root);
  const markup = root.querySelector(".live");
  if (styled && markup) markup.style.visibility = "hidden";
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
