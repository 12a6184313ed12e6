"""The verdict: pure functions from inputs to an explained assessment.

needs_d   = weighted mean of the chosen options' targets on dimension d
pull_d    = (|need_d - coach_d| - |need_d - mentor_d|) / |mentor_d - coach_d|     in [-1, 1]
lean      = sum(w_d * span_d * pull_d) / sum(w_d * span_d)                         in [-1, 1]

lean > 0 favours mentoring, < 0 coaching; inside the content's tie zone it is a blend.
Each dimension's contribution w_d * span_d * pull_d / sum(w * span) adds up to the lean.

The reasons explain the verdict shown (`Assessment.reason_groups`): for mentoring or coaching,
the strongest contributions on its side, then the strongest pulling the other way; for a
blend, the strongest on each side, the side the lean tilts toward first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from explorer.content import APPROACHES, Content, default_content
from explorer.errors import InputError


@dataclass(frozen=True)
class Contribution:
    """How one dimension pushes the lean, and why."""

    dimension: str
    need: float
    importance: float
    pull: float
    share: float  # this dimension's part of the lean; shares add up to the lean

    @property
    def favours(self) -> str:
        if self.share > 0:
            return "mentoring"
        return "coaching" if self.share < 0 else "neither"


REASONS_FOR = 3  # a mentoring or coaching verdict: this many reasons on its side, at most
REASONS_AGAINST = 1  # ... then this many pulling the other way
REASONS_EACH_SIDE = 2  # a blend: this many on each side


@dataclass(frozen=True)
class ReasonGroup:
    """Reasons that pull one way, strongest first: toward `favours`, which is `against` the
    verdict shown when it is the other approach's side (never for a blend)."""

    favours: str
    against: bool
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True)
class Change:
    """A single-input change that gives another verdict."""

    input: str
    to_option: str
    steps: int
    verdict: str
    lean: float


@dataclass(frozen=True)
class Assessment:
    """The verdict for one set of inputs. Immutable all through (read-only mappings), so one
    assessment can be cached and shared between sessions."""

    inputs: Mapping[str, str]
    needs: Mapping[str, float]
    importance: Mapping[str, float]
    lean: float
    verdict: str
    strength: float
    strength_label: str
    match: Mapping[str, float]
    contributions: tuple[Contribution, ...]
    changes: tuple[Change, ...] = field(default=())

    def reason_groups(self) -> tuple[ReasonGroup, ...]:
        """The reasons for the verdict shown, as groups that each pull one way.

        Mentoring or coaching: the strongest contributions toward it (up to REASONS_FOR),
        then the strongest pulling the other way (up to REASONS_AGAINST, marked `against`).
        A blend: the strongest toward each approach (up to REASONS_EACH_SIDE each), the side
        pulling harder (the one the lean tilts toward) first. Ties keep the content's order
        of dimensions and approaches; a side with no contribution has no group."""
        if self.verdict == "blend":
            sides = sorted(APPROACHES, key=lambda a: -sum(abs(c.share) for c in self._side(a)))
            picks = [(side, False, REASONS_EACH_SIDE) for side in sides]
        else:
            other = next(a for a in APPROACHES if a != self.verdict)
            picks = [(self.verdict, False, REASONS_FOR), (other, True, REASONS_AGAINST)]
        groups = (ReasonGroup(a, against, self._side(a)[:n]) for a, against, n in picks)
        return tuple(group for group in groups if group.contributions)

    def reasons(self) -> tuple[Contribution, ...]:
        """Every reason shown, in the order shown (see `reason_groups`)."""
        return tuple(c for group in self.reason_groups() for c in group.contributions)

    def _side(self, approach: str) -> tuple[Contribution, ...]:
        """The contributions toward `approach`, strongest first."""
        toward = (c for c in self.contributions if c.favours == approach)
        return tuple(sorted(toward, key=lambda c: abs(c.share), reverse=True))

    def nearest_changes(self) -> tuple[Change, ...]:
        """The smallest changes: fewest slider steps, then biggest effect."""
        if not self.changes:
            return ()
        fewest = min(c.steps for c in self.changes)
        return tuple(c for c in self.changes if c.steps == fewest)


def resolve_inputs(content: Content, raw: Mapping[str, str] | None) -> dict[str, str]:
    """Fill in defaults; raise InputError naming any unknown key or option."""
    chosen = dict(content.defaults)
    for key, value in (raw or {}).items():
        spec = content.input_by_id.get(key)
        if spec is None:
            valid = ", ".join(content.input_by_id)
            raise InputError(f"unknown input {key!r}; valid inputs are: {valid}")
        if value not in spec.option_ids:
            valid = ", ".join(spec.option_ids)
            raise InputError(f"unknown option {value!r} for {key!r}; valid options are: {valid}")
        chosen[key] = value
    return chosen


def needs_profile(content: Content, inputs: Mapping[str, str]) -> tuple[dict, dict]:
    """Need (0-100) and importance per dimension. Untouched dimensions sit midway, weight 0."""
    totals = {d.id: 0.0 for d in content.dimensions}
    weights = {d.id: 0.0 for d in content.dimensions}
    for spec in content.inputs:
        for dim, target in spec.option(inputs[spec.id]).targets.items():
            totals[dim] += target.weight * target.need_value
            weights[dim] += target.weight
    needs = {}
    for d in content.dimensions:
        midpoint = (d.mentoring.value + d.coaching.value) / 2
        needs[d.id] = totals[d.id] / weights[d.id] if weights[d.id] else midpoint
    return needs, weights


def score(content: Content, inputs: Mapping[str, str]) -> Assessment:
    """The assessment of complete inputs (see `resolve_inputs`), without `changes`."""
    needs, weights = needs_profile(content, inputs)
    raw, total, distance = {}, 0.0, dict.fromkeys(APPROACHES, 0.0)
    for d in content.dimensions:
        need, mentor, coach = needs[d.id], d.mentoring.value, d.coaching.value
        span = abs(mentor - coach)
        pull = (abs(need - coach) - abs(need - mentor)) / span
        raw[d.id] = (pull, weights[d.id] * span * pull)
        total += weights[d.id] * span
        distance["mentoring"] += weights[d.id] * abs(need - mentor)
        distance["coaching"] += weights[d.id] * abs(need - coach)
    contributions = tuple(
        Contribution(d.id, needs[d.id], weights[d.id], raw[d.id][0], raw[d.id][1] / total)
        for d in content.dimensions
    )
    lean = max(-1.0, min(1.0, sum(c.share for c in contributions)))
    weight_sum = sum(weights.values())
    match = {a: 100 * (1 - distance[a] / (100 * weight_sum)) for a in APPROACHES}
    verdict, strength = _verdict(lean, content.verdict.tie_zone)
    return Assessment(
        inputs=MappingProxyType(dict(inputs)),
        needs=MappingProxyType(needs),
        importance=MappingProxyType(weights),
        lean=lean,
        verdict=verdict,
        strength=strength,
        strength_label=_strength_label(content, verdict, lean, strength),
        match=MappingProxyType(match),
        contributions=contributions,
    )


def _strength_label(content: Content, verdict: str, lean: float, strength: float) -> str:
    """A blend is `even` or `tilting`; mentoring or coaching take their strength band's label."""
    config = content.verdict
    if verdict == "blend":
        return "even" if abs(lean) < config.blend_even_below else "tilting"
    return next(b.label for b in reversed(config.strength_bands) if strength >= b.min)


def _verdict(lean: float, tie_zone: float) -> tuple[str, float]:
    """Label and strength in [0, 1]: distance past the tie zone, or toward its centre."""
    if abs(lean) < tie_zone:
        return "blend", 1 - abs(lean) / tie_zone
    return ("mentoring" if lean > 0 else "coaching"), (abs(lean) - tie_zone) / (1 - tie_zone)


def verdict_changes(
    content: Content, inputs: Mapping[str, str], verdict: str
) -> tuple[Change, ...]:
    """Every single-input change that gives another verdict, nearest first."""
    changes = []
    for spec in content.inputs:
        here = spec.index(inputs[spec.id])
        for option in spec.options:
            if option.id == inputs[spec.id]:
                continue
            other = score(content, {**inputs, spec.id: option.id})
            if other.verdict != verdict:
                steps = abs(spec.index(option.id) - here)
                changes.append(Change(spec.id, option.id, steps, other.verdict, other.lean))
    return tuple(sorted(changes, key=lambda c: (c.steps, -abs(c.lean))))


def evaluate(inputs: Mapping[str, str] | None = None, content: Content | None = None) -> Assessment:
    """Assess a set of inputs (missing keys take defaults) against the content."""
    if content is None:
        content = default_content()
    chosen = resolve_inputs(content, inputs)
    result = score(content, chosen)
    return replace(result, changes=verdict_changes(content, chosen, result.verdict))


def sensitivity(content: Content, inputs: Mapping[str, str]) -> dict[str, list[float]]:
    """For each main input, the lean at each of its positions with the others held."""
    chosen = resolve_inputs(content, inputs)
    return {
        spec.id: [score(content, {**chosen, spec.id: o.id}).lean for o in spec.options]
        for spec in content.main_inputs
    }
