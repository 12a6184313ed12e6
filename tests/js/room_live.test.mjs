// The room components' address checks and pacing against what Python says (vectors.mjs).
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { GAP_MS, isEventsUrl, rerunWait } from "../../views/room_live/live.js";
import { isRoomRoute } from "../../views/room_live/navigate.js";
import { vectors } from "./vectors.mjs";

describe("navigate (views/room_live's safe_room_route)", () => {
  it("goes exactly where Python's check lets it", () => {
    assert.ok(vectors.routes.some(({ safe }) => safe));
    assert.ok(vectors.routes.some(({ safe }) => !safe));
    for (const { url, safe } of vectors.routes) {
      assert.equal(isRoomRoute(url), safe, JSON.stringify(url));
    }
  });
});

describe("room updates (views/room_live's events_url)", () => {
  it("opens every stream address Python makes", () => {
    for (const url of vectors.events.accepted) assert.ok(isEventsUrl(url), url);
  });

  it("opens no near miss", () => {
    for (const url of vectors.events.rejected) assert.ok(!isEventsUrl(url), url);
  });

  it("asks for reruns no faster than a connection's pace (web/stream_guard.py)", () => {
    const rate = vectors.pacing.per_connection_per_second;
    assert.ok(GAP_MS >= 1000 / rate, `GAP_MS ${GAP_MS} ms, pace ${rate} a second`);
  });

  it("waits out the rest of the gap, and no longer", () => {
    assert.equal(rerunWait(0, 10_000), 0);
    assert.equal(rerunWait(10_000, 10_000), GAP_MS);
    assert.equal(rerunWait(10_000, 10_000 + GAP_MS - 1), 1);
    assert.equal(rerunWait(10_000, 10_000 + 5 * GAP_MS), 0);
  });
});
