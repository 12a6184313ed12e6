// The presenter fold keeps Streamlit's remembered sidebar choices as they were.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";

import { remembered, restore } from "../../views/presenter_fold.js";

// A localStorage of the Web Storage API's shape, in memory.
function storage(initial) {
  const items = new Map(Object.entries(initial));
  return {
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => items.set(key, String(value)),
    removeItem: (key) => items.delete(key),
    entries: () => Object.fromEntries(items),
  };
}

describe("the presenter fold's memory", () => {
  beforeEach(() => {
    globalThis.window = {
      localStorage: storage({ "stSidebarCollapsed-/": "false", "other": "kept" }),
    };
  });

  it("reads only Streamlit's sidebar choices", () => {
    assert.deepEqual(remembered(), { "stSidebarCollapsed-/": "false" });
  });

  it("puts them back as they were, leaving other keys alone", () => {
    const kept = remembered();
    globalThis.window.localStorage.setItem("stSidebarCollapsed-/", "true"); // the fold's click
    globalThis.window.localStorage.setItem("stSidebarCollapsed-/room", "true");
    restore(kept);
    assert.deepEqual(globalThis.window.localStorage.entries(), {
      "stSidebarCollapsed-/": "false",
      "other": "kept",
    });
  });
});
