"""An assessment in words: the verdict's wording, the reasons with what grounds each number,
what would change it, the questions to ask and the contested topic.

One source for every place a verdict is explained — the pages, the brief, the CLI and its
JSON — so they cannot drift. Every number shown beside a source is shown with its basis:
a quote says it, a contrast reads it from what the sources say of the other approach, or it
is our editorial choice (and then no quote is put beside it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from explorer.content import Content, Grounded
from explorer.scoring import Assessment, Contribution, ReasonGroup

OTHER = {"mentoring": "coaching", "coaching": "mentoring"}
MAX_CHOICES = 3  # inputs named per verdict in "what would change it"; the rest are counted


@dataclass(frozen=True)
class Link:
    """One number in a reason's chain and what grounds it. `kind` is "answer" (an option you
    chose sets a need on the dimension) or "offer" (what an approach offers on it). `quote`
    and `location` are the first claim's words, and only when that claim says this number
    (basis quote) or this number is read by contrast from it; empty for our own choice."""

    kind: str
    text: str  # the number in words, no grounding: "Goal type: Whole career → a need of 90"
    number: float
    basis: str
    reason: str = ""
    quote: str = ""
    location: str = ""
    claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cited:
    """A sentence (markdown: **bold** names) and what grounds it. `quote`/`location` are the
    first claim's words, empty for an editorial number; `basis` says how to present them.

    A reason's sentence carries no quote of its own: its numbers are each grounded in its
    `chain` — your answers, then what each approach offers — each beside its own quote."""

    text: str
    basis: str = "quote"
    quote: str = ""
    location: str = ""
    claims: tuple[str, ...] = ()
    chain: tuple[Link, ...] = ()

    @property
    def plain(self) -> str:
        return self.text.replace("**", "")


def signed(value: float) -> str:
    """The value with its sign, using a true minus sign (U+2212) for negatives."""
    return f"{value:+.2f}".replace("-", "\u2212")


def full_stop(text: str) -> str:
    """`text` ending in one full stop (or its own ! or ?), never two."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def verdict_words(content: Content, result: Assessment) -> str:
    """The verdict on one scale, in words: 'Leans coaching — moderately', 'Evenly balanced'."""
    if result.verdict == "blend":
        if result.strength_label == "even":
            return content.text("verdict_words.even")
        toward = "mentoring" if result.lean > 0 else "coaching"
        return content.text("verdict_words.tilting", approach=content.text(f"legend.{toward}"))
    return content.text(f"verdict_words.{result.verdict}", strength=result.strength_label)


def lean_words(content: Content, result: Assessment) -> str:
    """The number behind the words, secondary: the signed lean on its -1 ... +1 scale."""
    return content.text("verdict_words.number", lean=signed(result.lean))


def grounded_link(
    content: Content, kind: str, text: str, number: float, grounded: Grounded
) -> Link:
    """`text` (one number in words) with its grounding: the first claim's quote beside it
    when that claim says the number or the number is read by contrast from it; never for our
    own choice, even where claims are given as context."""
    quote = location = ""
    if grounded.basis != "editorial" and grounded.claims:
        claim = content.claim_by_id[grounded.claims[0]]
        quote, location = claim.quote, claim.location
    return Link(
        kind, text, number, grounded.basis, grounded.reason or "", quote, location, grounded.claims
    )


def link_text(
    content: Content, link: Link, mark: Callable[[str, str], str] = lambda _part, text: text
) -> str:
    """A link of a reason's chain in words (`chain.<basis>` in content): the number, its
    basis, and its quote beside it. `mark(part, text)` dresses each part for the output
    (escaping for HTML, italics for a location in Markdown); by default plain text."""
    values = {"text": link.text, "reason": link.reason, "quote": link.quote}
    values["location"] = link.location
    return content.text(
        f"chain.{link.basis}", **{part: mark(part, text) for part, text in values.items()}
    )


@dataclass(frozen=True)
class Reasons:
    """One group of reasons as shown: its label ("Pulling the other way, toward mentoring:";
    empty for the reasons toward a mentoring or coaching verdict) and its lines."""

    label: str
    lines: tuple[Cited, ...]


def reason_groups(content: Content, result: Assessment, subject: str = "") -> list[Reasons]:
    """The reasons for the verdict shown (`Assessment.reason_groups`), group by group, each
    line with the favoured approach's value and its grounding. `subject` says whose need it
    is ("Amara needs"); by default the reader's ("you need")."""
    subject = subject or content.text("explore.you_need")
    return [
        Reasons(
            reason_group_label(content, result, group),
            tuple(
                reason_line(content, reason, subject, result.inputs)
                for reason in group.contributions
            ),
        )
        for group in result.reason_groups()
    ]


def reason_group_label(content: Content, result: Assessment, group: ReasonGroup) -> str:
    """What a group of reasons says before its lines: which way it pulls, unless it is the
    verdict's own side."""
    approach = content.verdict.approaches[group.favours].label.lower()
    if group.against:
        return content.text("explore.reasons_against", approach=approach)
    if result.verdict == "blend":
        return content.text("explore.reasons_toward", approach=approach)
    return ""


def reason_lines(content: Content, result: Assessment, subject: str = "") -> list[Cited]:
    """Every reason line of `reason_groups`, in the order shown, without the groups' labels."""
    return [line for group in reason_groups(content, result, subject) for line in group.lines]


def reason_line(
    content: Content, reason: Contribution, subject: str, inputs: Mapping[str, str]
) -> Cited:
    """A reason as a chain: the sentence (the need, the favoured approach's value and the
    other's), then each answer that set the need with its target's grounding, then what
    each approach offers with its value's grounding. No quote stands beside the sentence's
    own numbers: each quote is on the one link whose number it says."""
    dimension = content.dimension_by_id[reason.dimension]
    other = OTHER[reason.favours]
    value, other_value = getattr(dimension, reason.favours), getattr(dimension, other)
    text = content.text(
        "explore.reason_line",
        dimension=dimension.label,
        subject=subject,
        need=reason.need,
        approach=content.verdict.approaches[reason.favours].label.lower(),
        offered=value.value,
        other=content.verdict.approaches[other].label.lower(),
        other_offered=other_value.value,
    )
    chain = [
        grounded_link(
            content,
            "answer",
            content.text(
                "explore.chain_answer",
                input=spec.label,
                option=spec.option(inputs[spec.id]).label,
                need=target.need_value,
            ),
            target.need_value,
            target,
        )
        for spec in content.inputs
        if (target := spec.option(inputs[spec.id]).targets.get(reason.dimension))
    ]
    for approach in (reason.favours, other):
        offered = getattr(dimension, approach)
        words = content.text(
            "explore.chain_offer",
            approach=content.verdict.approaches[approach].label,
            value=offered.value,
        )
        chain.append(grounded_link(content, "offer", words, offered.value, offered))
    return Cited(text, "chain", claims=(), chain=tuple(chain))


def choice_text(content: Content, input_id: str, labels: list[str]) -> str:
    """'“Early career” or “Changing role or field” for career stage'."""
    return content.text(
        "changes.choice",
        options=content.text("changes.or").join(f"“{label}”" for label in labels),
        phrase=content.input_by_id[input_id].phrase,
    )


def change_lines(content: Content, result: Assessment) -> list[str]:
    """The nearest single changes that give another verdict, one sentence per verdict they
    give, options grouped by input: '**Mentoring** if you chose “Early career” or “Changing
    role or field” for career stage (one step away).'"""
    nearest = result.nearest_changes()
    if not nearest:
        return [content.text("changes.none")]
    by_verdict: dict[str, dict[str, list[str]]] = {}
    for change in nearest:
        label = content.input_by_id[change.input].option(change.to_option).label
        by_verdict.setdefault(change.verdict, {}).setdefault(change.input, []).append(label)
    steps = nearest[0].steps
    distance = content.text("changes.one_step" if steps == 1 else "changes.steps", steps=steps)
    order = [spec.id for spec in content.inputs]  # the main sliders first
    lines = []
    for verdict, by_input in by_verdict.items():
        ranked = sorted(by_input.items(), key=lambda item: order.index(item[0]))
        choices = [
            choice_text(content, input_id, labels) for input_id, labels in ranked[:MAX_CHOICES]
        ]
        if (more := len(ranked) - MAX_CHOICES) > 0:
            choices.append(
                content.text("changes.more_one" if more == 1 else "changes.more", count=more)
            )
        lines.append(
            content.text(
                "changes.group_line",
                verdict=content.verdict.approaches[verdict].headline,
                choices=content.text("changes.or").join(choices),
                distance=distance,
            )
        )
    return lines


def firm_sliders(content: Content, result: Assessment) -> list[str]:
    """Main sliders that cannot change the verdict on their own, by label."""
    moving = {c.input for c in result.changes}
    return [spec.label for spec in content.main_inputs if spec.id not in moving]


def question_lines(content: Content, verdict: str) -> list[Cited]:
    lines = []
    for question in content.questions[verdict]:
        claim = content.claim_by_id[question.claims[0]]
        lines.append(Cited(question.text, "quote", claim.quote, claim.location, question.claims))
    return lines


def contested_lines(content: Content) -> list[tuple[str, str, list[Cited]]]:
    """Each contested topic: its heading, its summary and both sides' quotes."""
    topics = []
    for topic in content.contested:
        sides = []
        for side in topic.sides:
            label = content.text(f"legend.{side.approach}")
            for claim_id in side.claims:
                claim = content.claim_by_id[claim_id]
                text = content.text("contested.side", approach=label, source=claim.source)
                sides.append(Cited(text, "quote", claim.quote, claim.location, (claim_id,)))
        heading = content.text("explore.contested_heading", label=topic.label)
        topics.append((heading, topic.summary, sides))
    return topics


def radar_summary(content: Content, result: Assessment, owner: str = "") -> str:
    """One sentence naming where the needs sit closest to each approach. `owner` says whose
    needs they are ("Amara's needs"); by default the reader's.

    A dimension that leans to the other approach pulls this way when the need is low, as this
    approach's value is: that is said as such ("lower on Specific-skill focus, as mentoring
    is"), never as "closest to mentoring on Specific-skill focus"."""
    owner = owner or content.text("radar.your_needs")
    ranked = sorted(result.contributions, key=lambda c: c.share, reverse=True)
    toward = {
        "mentoring": [c for c in ranked if c.share > 0][:2],
        "coaching": [c for c in reversed(ranked) if c.share < 0][:2],
    }
    join = content.text("radar.and")
    parts = []
    for approach, contributions in toward.items():
        dims = [content.dimension_by_id[c.dimension] for c in contributions]
        high = [d.label for d in dims if d.leans == approach]
        low = [d.label for d in dims if d.leans != approach]
        if high:
            parts.append(content.text("radar.closest", approach=approach, dims=join.join(high)))
        if low:
            parts.append(content.text("radar.lower", approach=approach, dims=join.join(low)))
    if not parts:
        return content.text("radar.midway", owner=owner)
    return content.text("radar.summary", owner=owner, parts=content.text("radar.then").join(parts))


def _grounding(content: Content, number: Grounded) -> dict[str, Any]:
    """A number's basis, claims and reason, and the quote beside it (only where the first
    claim says the number or it is read by contrast from it; empty for our own choice)."""
    link = grounded_link(content, "", "", 0, number)
    return {
        "basis": number.basis,
        "claims": list(number.claims),
        "reason": number.reason,
        "quote": link.quote,
        "location": link.location,
    }


def _reason_json(
    content: Content, result: Assessment, reason: Contribution, against: bool
) -> dict[str, Any]:
    """One reason's chain: `need_from` (each answer that set the need, with its target's
    grounding), `need` (their weighted average), `offers` (each approach's value with its
    grounding). `value`, `basis` and `claims` at the top are the favoured approach's."""
    dimension = content.dimension_by_id[reason.dimension]
    value = getattr(dimension, reason.favours)
    need_from = [
        {
            "input": spec.id,
            "option": result.inputs[spec.id],
            "need": round(target.need_value, 1),
            "weight": target.weight,
            **_grounding(content, target),
        }
        for spec in content.inputs
        if (target := spec.option(result.inputs[spec.id]).targets.get(reason.dimension))
    ]
    offers = {
        approach: {"value": getattr(dimension, approach).value}
        | _grounding(content, getattr(dimension, approach))
        for approach in (reason.favours, OTHER[reason.favours])
    }
    return {
        "dimension": reason.dimension,
        "favours": reason.favours,
        "against_verdict": against,
        "share": round(reason.share, 4),
        "need": round(reason.need, 1),
        "value": value.value,
        "basis": value.basis,
        "claims": list(value.claims),
        "reason": value.reason,
        "need_from": need_from,
        "offers": offers,
    }


def assessment_json(content: Content, result: Assessment) -> dict[str, Any]:
    """The assessment as JSON-ready data: numbers, and every reason with its basis and claims,
    in the order shown (`against_verdict` marks those pulling the other way)."""
    reasons = [
        _reason_json(content, result, reason, group.against)
        for group in result.reason_groups()
        for reason in group.contributions
    ]
    return {
        "inputs": dict(result.inputs),
        "verdict": result.verdict,
        "verdict_words": verdict_words(content, result),
        "lean": round(result.lean, 4),
        "strength": round(result.strength, 4),
        "strength_label": result.strength_label,
        "match": {k: round(v, 1) for k, v in result.match.items()},
        "needs": {k: round(v, 1) for k, v in result.needs.items()},
        "reasons": reasons,
        "changes": [
            {"input": c.input, "to": c.to_option, "steps": c.steps, "verdict": c.verdict}
            for c in result.changes
        ],
        "contested": [
            {
                "topic": topic.id,
                "summary": topic.summary,
                "sides": [{"approach": s.approach, "claims": list(s.claims)} for s in topic.sides],
            }
            for topic in content.contested
        ],
    }
