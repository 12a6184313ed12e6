// The sensitivity strips: Python sends them as finished markup (explorer/strips.py, every
// word escaped there); this only puts it in place, and only when it changed.
/** @type {WeakMap<HTMLElement, string>} */
const drawn = new WeakMap();

/** @param {{ data: { html?: unknown } | null | undefined, parentElement: HTMLElement }} component */
export default function sensitivityStrips({ data, parentElement }) {
  const markup = data && typeof data.html === "string" ? data.html : "";
  if (drawn.get(parentElement) === markup) return;
  drawn.set(parentElement, markup);
  let root = parentElement.querySelector(".strips-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "strips-root";
    parentElement.appendChild(root);
  }
  root.innerHTML = markup;
}
