"""Inputs <-> URL query parameters. Bad values fall back to defaults with a notice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from explorer.content import Content

MAX_SHOWN_VALUE = 40


@dataclass(frozen=True)
class Notice:
    """Something in the link that could not be used. `default` is None for unknown keys."""

    param: str
    value: str
    default: str | None

    def message(self, content: Content, escape: Callable[[str], str] = str) -> str:
        """The notice's words; `escape` makes the echoed parameter name safe for display."""
        param = escape(_shorten(self.param))
        if self.default is None:
            return content.text("explore.unknown_param", param=param)
        label = content.input_by_id[self.param].option(self.default).label
        return content.text("explore.bad_param", param=param, default=label)


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_VALUE else text[: MAX_SHOWN_VALUE - 1] + "…"


def read_query(
    content: Content,
    params: Mapping[str, str | list[str]],
    other_keys: Iterable[str] = (),
) -> tuple[dict[str, str], list[Notice]]:
    """Inputs from query parameters, and a notice for every value that was not usable.

    Keys in `other_keys` belong to other features (e.g. presenter mode) and are left alone.
    With repeated keys the last value wins, as browsers and most servers do.
    """
    inputs = dict(content.defaults)
    notices = []
    allowed = set(other_keys)
    for key, raw in params.items():
        values = [raw] if isinstance(raw, str) else list(raw)
        value = values[-1] if values else ""
        spec = content.input_by_id.get(key)
        if spec is None:
            if key not in allowed:
                notices.append(Notice(key, value, None))
        elif value in spec.option_ids:
            inputs[key] = value
        else:
            notices.append(Notice(key, value, spec.default))
    return inputs, notices


def write_query(content: Content, inputs: Mapping[str, str]) -> dict[str, str]:
    """Query parameters for the inputs: always the main four, advanced ones when not default."""
    return {
        spec.id: inputs[spec.id]
        for spec in content.inputs
        if spec.main or inputs[spec.id] != spec.default
    }
