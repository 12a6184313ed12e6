"""A headless Streamlit client: speaks the browser's WebSocket protocol, so every "move"
really reruns the script on the server, exactly as a slider move in a browser does.

It connects to /_stcore/stream, sends the same BackMsg a browser sends (a `rerun_script`
ClientState carrying the page, the query string and every widget's value), and reads the
ForwardMsgs until `script_finished`. It draws nothing, so one process can be 100 users.
Used by the load, memory and room benchmarks; loopback addresses only.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

DONE = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
RUN_TIMEOUT_S = 60.0


class RunError(RuntimeError):
    """The script raised, did not compile, or did not finish in time."""


@dataclass
class Widget:
    id: str
    kind: str  # the element type: "slider", "button", "checkbox", ...
    label: str
    options: list[str] = field(default_factory=list)
    value: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    seconds: float
    bytes_received: int
    messages: int
    exceptions: list[str]
    texts: list[str]  # markdown and alert bodies, for checks such as "Thank you"


class Session:
    """One Streamlit session over one WebSocket."""

    def __init__(self, ws_url: str, *, page_name: str = "", query_string: str = "") -> None:
        if not ws_url.startswith(("ws://127.", "ws://localhost", "ws://[::1]")):
            raise ValueError("benchmarks talk to loopback servers only")
        self.ws_url = ws_url
        self.page_name = page_name
        self.query_string = query_string
        self.widgets: dict[str, Widget] = {}  # by user key (the part after the last "-")
        self._states: dict[str, Widget] = {}  # by widget id
        self._ws = None

    async def connect(self) -> RunResult:
        """Open the socket and run the page once, as a browser's first visit does."""
        self._ws = await asyncio.wait_for(
            websockets.connect(
                self.ws_url, subprotocols=["streamlit"], max_size=None, compression=None
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
        return await self.rerun()

    async def click(self, key: str) -> RunResult:
        """Press a button (or a form's submit button), and rerun."""
        return await self.rerun(trigger=self.widgets[key].id)

    async def rerun(self, trigger: str | None = None) -> RunResult:
        assert self._ws is not None, "connect() first"
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_name = self.page_name
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-GB"
        state.context_info.url = self.ws_url.replace("ws://", "http://").split("/_stcore")[0]
        for widget in self._states.values():
            if widget.kind == "slider" and widget.value:
                item = state.widget_states.widgets.add()
                item.id = widget.id
                item.string_array_value.data.extend(widget.value)
        if trigger is not None:
            item = state.widget_states.widgets.add()
            item.id = trigger
            item.trigger_value = True
        started = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        return await self._read_until_finished(started)

    async def _read_until_finished(self, started: float) -> RunResult:
        received = messages = 0
        exceptions: list[str] = []
        texts: list[str] = []
        deadline = started + RUN_TIMEOUT_S
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise RunError(f"no script_finished within {RUN_TIMEOUT_S}s")
            payload = await asyncio.wait_for(self._ws.recv(), timeout=remaining)
            received += len(payload)
            messages += 1
            fwd = ForwardMsg.FromString(payload)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, exceptions, texts)
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
                    time.perf_counter() - started, received, messages, exceptions, texts
                )

    def _element(self, element, exceptions: list[str], texts: list[str]) -> None:
        kind = element.WhichOneof("type")
        if kind == "exception":
            exceptions.append(f"{element.exception.type}: {element.exception.message}")
            return
        if kind in ("markdown", "alert"):  # st.markdown / st.success, st.info, ...
            texts.append(getattr(element, kind).body)
            return
        proto = getattr(element, kind, None)
        widget_id = getattr(proto, "id", "") if proto is not None else ""
        if not widget_id.startswith("$$ID-") or not hasattr(proto, "label"):
            return
        key = widget_id.rsplit("-", 1)[-1]
        known = self._states.get(widget_id)
        if known is None:
            known = Widget(widget_id, kind, proto.label)
            self._states[widget_id] = known
            self.widgets[key] = known
        if kind == "slider":
            known.options = list(proto.options)
            if not known.value:
                known.value = list(proto.raw_value) or [
                    proto.options[int(v)] for v in proto.default
                ]


async def run_bounded(coroutines, limit_s: float) -> list:
    """Gather coroutines, giving up (with TimeoutError) after `limit_s` seconds in all."""
    return await asyncio.wait_for(asyncio.gather(*coroutines, return_exceptions=True), limit_s)
