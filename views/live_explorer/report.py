"""What the live explorer reports, validated like a URL's query parameters.

The report comes from the browser, so it can be forged: anything may arrive instead of
`{"goal": ..., "timeframe": ..., "stage": ..., "structure": ..., "release": ...}`. Usable
values are taken; everything else falls back to the inputs already in use, with a notice whose
words come from content and never repeat what was sent. Nothing here raises. Plain Python.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

from explorer import Content

RELEASE_KEY = "release"  # the component's count of releases, so equal reports still differ
MAX_ENTRIES = 16  # a real report has five; entries beyond this are not even looked at
MAX_RELEASE = 2**53  # JavaScript's exact-integer limit


@dataclass(frozen=True)
class ReportNotice:
    """A part of a report that could not be used. `input` is the main input whose value was
    refused and `kept` the option it stays at; both are None for settings it does not know."""

    input: str | None = None
    kept: str | None = None

    def message(self, content: Content) -> str:
        if self.input is None or self.kept is None:
            return content.text("live.unknown_report")
        spec = content.input_by_id[self.input]
        return content.text(
            "live.bad_report", input=spec.label, option=spec.option(self.kept).label
        )


@dataclass(frozen=True)
class Report:
    """The main inputs to use (all four, valid), the notices, and the release it answers."""

    inputs: dict[str, str]
    notices: tuple[ReportNotice, ...]
    release: int | None


def _current(content: Content, current: Mapping[str, str]) -> dict[str, str]:
    """The main inputs in use now, each checked too (a default stands in for a bad one)."""
    return {
        spec.id: current[spec.id] if current.get(spec.id) in spec.option_ids else spec.default
        for spec in content.main_inputs
    }


def _release(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_RELEASE:
        return value
    return None


def read_report(content: Content, reported: object, current: Mapping[str, str]) -> Report:
    """The report's usable main inputs over `current`, and a notice for each unusable part.

    Unknown or non-text keys (advanced inputs included: the component does not set them),
    values that are not one of the input's option ids, and a report that is not a mapping at
    all give notices; a missing input keeps its current value quietly.
    """
    chosen = _current(content, current)
    if not isinstance(reported, Mapping):
        return Report(chosen, (ReportNotice(),), None)
    main = {spec.id: spec for spec in content.main_inputs}
    notices: list[ReportNotice] = []
    unknown = len(reported) > MAX_ENTRIES
    release = None
    for key, value in itertools.islice(reported.items(), MAX_ENTRIES):
        if key == RELEASE_KEY:
            release = _release(value)
        elif not isinstance(key, str) or key not in main:
            unknown = True
        elif isinstance(value, str) and value in main[key].option_ids:
            chosen[key] = value
        else:
            notices.append(ReportNotice(key, chosen[key]))
    if unknown:
        notices.append(ReportNotice())
    return Report(chosen, tuple(notices), release)
