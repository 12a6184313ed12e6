"""What a live room's answers add up to: the verdict distribution, the average needs with
their spread, and where the room disagrees most. Pure functions over stored answers."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from explorer.content import VERDICTS, Content
from explorer.errors import InputError
from explorer.scoring import needs_profile, resolve_inputs


@dataclass(frozen=True)
class RoomStats:
    answered: int
    distribution: dict[str, int]  # verdict -> count, in VERDICTS order
    average: dict[str, float]  # dimension -> mean need
    low: dict[str, float]  # dimension -> mean - 1 standard deviation (clipped to 0)
    high: dict[str, float]  # dimension -> mean + 1 standard deviation (clipped to 100)
    disagreement: tuple[tuple[str, float], ...]  # (dimension, standard deviation), largest first
    skipped: int  # stored answers that no longer match the content


def room_stats(content: Content, answers: Sequence[Mapping[str, str]]) -> RoomStats:
    """Summarise answers (option ids by input id, plus 'verdict'); skip unusable ones."""
    profiles: list[dict[str, float]] = []
    verdicts: Counter[str] = Counter()
    skipped = 0
    for answer in answers:
        inputs = {k: v for k, v in answer.items() if k in content.input_by_id}
        try:
            chosen = resolve_inputs(content, inputs)
        except InputError:
            skipped += 1
            continue
        profiles.append(needs_profile(content, chosen)[0])
        verdicts[answer.get("verdict", "")] += 1
    dims = [d.id for d in content.dimensions]
    average, low, high, spread = {}, {}, {}, {}
    for dim in dims:
        values = [p[dim] for p in profiles]
        mean = statistics.fmean(values) if values else 0.0
        sd = statistics.pstdev(values) if len(values) > 1 else 0.0
        average[dim], spread[dim] = mean, sd
        low[dim], high[dim] = max(0.0, mean - sd), min(100.0, mean + sd)
    ranked = sorted(spread.items(), key=lambda item: item[1], reverse=True)
    return RoomStats(
        answered=len(profiles),
        distribution={v: verdicts.get(v, 0) for v in VERDICTS},
        average=average,
        low=low,
        high=high,
        disagreement=tuple(ranked[:3]),
        skipped=skipped,
    )
