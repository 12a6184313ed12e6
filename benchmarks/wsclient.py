"""A headless Streamlit client: speaks the browser's WebSocket protocol, so every "move"
really reruns the script on the server, exactly as a browser's move does.

It connects to /_stcore/stream (sending the cookies a browser would send in the handshake:
rooms read the facilitator key and a participant's identity from them), sends the same
BackMsg a browser sends (a `rerun_script` ClientState carrying the page, the query string
and the widgets' values), and reads ForwardMsgs until `script_finished`. It draws nothing,
so one process can be hundreds of people.

What a browser sends, and so what this sends:

- a select-slider's value: `string_array_value` with the chosen option's label;
- a button press: `trigger_value` on the button's id, for that one run;
- a `st.components.v2` component's state: `json_value` holding the component's whole
  state object as JSON (`setStateValue("inputs", {...})` in the component's JavaScript
  sends `{"inputs": {...}}`), under the component's element id — the id of the
  `bidi_component` element in the delta, which ends with the component's key. The browser
  keeps sending that state in every later BackMsg, so this does too. (Captured from
  Chromium's own BackMsgs with CDP `Network.webSocketFrameSent`; the field is the one
  `streamlit/components/v2/bidi_component/main.py` registers, `value_type="json_value"`.)

Widgets the client never set are left out of the BackMsg: the server keeps their values.
Loopback addresses only. Used by the load, rerun and room benchmarks.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

DONE = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
RUN_TIMEOUT_S = 60.0
LOOPBACK = ("ws://127.", "ws://localhost", "ws://[::1]")


class RunError(RuntimeError):
    """The script raised, did not compile, or did not finish in time."""


@dataclass
class Widget:
    id: str
    kind: str  # the element type: "slider", "button", "bidi_component", ...
    label: str = ""
    options: list[str] = field(default_factory=list)
    value: list[str] = field(default_factory=list)  # a select-slider's chosen label
    state: dict[str, Any] | None = None  # a component's state, once this client set it
    fragment_id: str = ""  # the st.fragment the widget is drawn in, if any


@dataclass
class RunResult:
    seconds: float
    bytes_received: int
    messages: int
    exceptions: list[str]
    texts: list[str]  # markdown and alert bodies, for checks of what a page said
    bytes_by_kind: dict[str, int]  # e.g. "delta:bidi_component" -> bytes


def frame_kind(fwd: ForwardMsg) -> str:
    """A short name for what a ForwardMsg carries: "delta:plotly_chart", "script_finished"..."""
    kind = fwd.WhichOneof("type") or "?"
    if kind == "delta":
        delta = fwd.delta.WhichOneof("type") or "?"
        if delta == "new_element":
            return f"delta:{fwd.delta.new_element.WhichOneof('type')}"
        return f"delta:{delta}"
    return kind


def component_code_bytes(fwd: ForwardMsg) -> int:
    """Bytes of a component delta that are its code (JS, CSS, HTML), not its data."""
    if frame_kind(fwd) != "delta:bidi_component":
        return 0
    component = fwd.delta.new_element.bidi_component
    return sum(
        len(part.encode("utf-8"))
        for part in (component.js_content, component.css_content, component.html_content)
    )


class Session:
    """One Streamlit session over one WebSocket."""

    def __init__(
        self,
        ws_url: str,
        *,
        page_name: str = "",
        query_string: str = "",
        cookies: Mapping[str, str] | None = None,
    ) -> None:
        if not ws_url.startswith(LOOPBACK):
            raise ValueError("benchmarks talk to loopback servers only")
        self.ws_url = ws_url
        self.page_name = page_name
        self.query_string = query_string
        self.cookies = dict(cookies or {})
        self.widgets: dict[str, Widget] = {}  # by user key (the part after the last "-")
        self._by_id: dict[str, Widget] = {}
        self._ws: Any = None

    async def connect(self) -> RunResult:
        """Open the socket and run the page once, as a browser's first visit does."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await asyncio.wait_for(
            websockets.connect(
                self.ws_url,
                subprotocols=["streamlit"],  # type: ignore[list-item]
                max_size=None,
                compression=None,
                additional_headers=headers,
                # As a page of the app opens it: the app refuses any other origin.
                origin=self.ws_url.replace("ws://", "http://").split("/_stcore")[0],
                open_timeout=RUN_TIMEOUT_S,
            ),
            timeout=RUN_TIMEOUT_S,
        )
        return await self.rerun()

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    def widget(self, key: str) -> Widget:
        return self.widgets[key]

    def set_value(self, key: str, label: str) -> None:
        """Set a (select-)slider to the option shown as `label` without a rerun, as a
        slider inside a form does until the form is submitted."""
        widget = self.widgets[key]
        if label not in widget.options:
            raise ValueError(f"{label!r} is not an option of {key}")
        widget.value = [label]

    async def set_slider(self, key: str, label: str) -> RunResult:
        """Move a (select-)slider to the option shown as `label`, and rerun."""
        self.set_value(key, label)
        return await self.rerun(fragment_id=self.widgets[key].fragment_id)

    async def click(self, key: str) -> RunResult:
        """Press a button (or a form's submit button), and rerun."""
        widget = self.widgets[key]
        return await self.rerun(trigger=widget.id, fragment_id=widget.fragment_id)

    async def set_component_state(self, key: str, state: Mapping[str, Any]) -> RunResult:
        """Set a v2 component's state (its whole state object), and rerun: what the
        component's `setStateValue(name, value)` makes the browser send."""
        widget = self.widgets[key]
        if widget.kind != "bidi_component":
            raise ValueError(f"{key} is a {widget.kind}, not a component")
        widget.state = dict(state)
        return await self.rerun(fragment_id=widget.fragment_id)

    async def rerun(self, trigger: str | None = None, fragment_id: str = "") -> RunResult:
        """Rerun the page with every widget's value; as a browser does, only the fragment
        `fragment_id` when the widget that changed is drawn inside one."""
        assert self._ws is not None, "connect() first"
        msg = BackMsg()
        client = msg.rerun_script
        client.query_string = self.query_string
        client.page_name = self.page_name
        client.context_info.timezone = "UTC"
        client.context_info.locale = "en-GB"
        client.context_info.url = self.ws_url.replace("ws://", "http://").split("/_stcore")[0]
        client.fragment_id = fragment_id
        for widget in self._by_id.values():
            if widget.kind == "slider" and widget.value:
                item = client.widget_states.widgets.add()
                item.id = widget.id
                item.string_array_value.data.extend(widget.value)
            elif widget.kind == "bidi_component" and widget.state is not None:
                item = client.widget_states.widgets.add()
                item.id = widget.id
                item.json_value = json.dumps(widget.state, separators=(",", ":"))
        if trigger is not None:
            item = client.widget_states.widgets.add()
            item.id = trigger
            item.trigger_value = True
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        return await self._read_until_finished(started)

    async def _read_until_finished(self, started: float) -> RunResult:
        received = messages = 0
        exceptions: list[str] = []
        texts: list[str] = []
        by_kind: dict[str, int] = {}
        deadline = started + RUN_TIMEOUT_S
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise RunError(f"no script_finished within {RUN_TIMEOUT_S}s")
            payload = await asyncio.wait_for(self._ws.recv(), timeout=remaining)
            received += len(payload)
            messages += 1
            fwd = ForwardMsg.FromString(payload)
            kind = frame_kind(fwd)
            by_kind[kind] = by_kind.get(kind, 0) + len(payload)
            if kind.startswith("delta:") and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, fwd.delta.fragment_id, exceptions, texts)
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "session_event" and fwd.session_event.HasField(
                "script_compilation_exception"
            ):
                exceptions.append(fwd.session_event.script_compilation_exception.message)
            elif kind == "script_finished" and fwd.script_finished in DONE:
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    exceptions.append("compile error")
                return RunResult(
                    time.perf_counter() - started, received, messages, exceptions, texts, by_kind
                )

    def _element(
        self, element: Any, fragment_id: str, exceptions: list[str], texts: list[str]
    ) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            exceptions.append(f"{element.exception.type}: {element.exception.message}")
            return
        if kind in ("markdown", "alert"):  # st.markdown / st.success, st.info, ...
            texts.append(getattr(element, kind).body)
            return
        proto = getattr(element, kind, None)
        widget_id = getattr(proto, "id", "") if proto is not None else ""
        if proto is None or not widget_id.startswith("$$ID-"):
            return
        key = widget_id.rsplit("-", 1)[-1]
        known = self._by_id.get(widget_id)
        if known is None:
            known = Widget(widget_id, kind, getattr(proto, "label", ""), fragment_id=fragment_id)
            self._by_id[widget_id] = known
            self.widgets[key] = known
        if kind == "slider":
            known.options = list(proto.options)
            if not known.value:
                known.value = list(proto.raw_value) or [
                    proto.options[int(v)] for v in proto.default
                ]


async def gather_bounded(coroutines: Iterable[Awaitable[Any]], limit_s: float) -> list[Any]:
    """Gather coroutines (exceptions returned, not raised), giving up with TimeoutError after
    `limit_s` seconds in all: no benchmark can hang."""
    return await asyncio.wait_for(asyncio.gather(*coroutines, return_exceptions=True), limit_s)
