// Send the browser to one of the app's own room routes, once (the claim route that turns a
// one-time claim into the facilitator cookie, or a room's participant page /j/CODE).
// Streamlit calls this on every rerun; the WeakMap makes sure the navigation happens once
// per mounted component.
const ROOM_ROUTE = /^(\/api\/rooms\/[A-Za-z0-9_\-/]+(\?[A-Za-z0-9_\-=&%.]*)?|\/j\/[A-Z0-9]{6})$/;
/** @type {WeakMap<HTMLElement, string>} */
const done = new WeakMap();

// The routes views/room_live's safe_room_route() allows (tests/js checks both agree).
/** @param {string} url */
export function isRoomRoute(url) {
  return ROOM_ROUTE.test(url) && !url.includes("//");
}

/** @param {{ data: { url?: unknown } | null | undefined, parentElement: HTMLElement }} component */
export default function (component) {
  const { data, parentElement } = component;
  const url = data && typeof data.url === "string" ? data.url : "";
  if (done.get(parentElement) === url) return undefined;
  if (!isRoomRoute(url)) return undefined;
  done.set(parentElement, url);
  window.location.assign(url);
  return undefined;
}
