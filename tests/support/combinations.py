"""Input combinations derived from content, never written out: a slider or an option added
to content/inputs.yaml is walked by every test that uses these."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

from explorer import Content


def main_combinations(content: Content) -> Iterator[dict[str, str]]:
    """Every combination of the main inputs' options (the advanced ones left to defaults)."""
    specs = content.main_inputs
    for options in itertools.product(*(spec.option_ids for spec in specs)):
        yield {spec.id: option for spec, option in zip(specs, options, strict=True)}


def main_combination_count(content: Content) -> int:
    return math.prod(len(spec.options) for spec in content.main_inputs)


def advanced_settings(content: Content) -> Iterator[dict[str, str]]:
    """The defaults, then each advanced input at each of its other options, one at a time."""
    yield {}
    for spec in content.advanced_inputs:
        for option in spec.option_ids:
            if option != spec.default:
                yield {spec.id: option}


def ends(content: Content, input_id: str) -> tuple[str, str]:
    """An ordered input's first and last options."""
    options = content.input_by_id[input_id].option_ids
    return options[0], options[-1]
