"""A reason shows where each of its numbers comes from, and a quote is only ever printed
beside the number it supports.

Each reason is a chain: your answers (the options that set the need, each with its target's
grounding), the need, then what each approach offers (each value with its grounding). Walked
over every reason of every combination of the main inputs (from content), in every place
that prints reasons: the CLI's text and JSON, the brief (Markdown and HTML) and the page."""

from __future__ import annotations

import re
from html import unescape

import pytest

from explorer import Content, default_content, evaluate
from explorer.cli import format_assessment
from explorer.content import Grounded
from explorer.explain import OTHER, assessment_json, reason_groups
from explorer.render.brief import build_brief
from explorer.scoring import Assessment, resolve_inputs, score
from tests.support.combinations import main_combination_count, main_combinations
from views.panels import reasons_markdown

CONTENT = default_content()
QUOTE = re.compile(r"“([^”]+)”")
NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
LOCATION = re.compile(r"(?:MvC-Top|CMC-9)\s*[¶§]\d+|CMC-9|MvC-Top")


def grounded_numbers(content: Content, dimension: str, inputs) -> list[tuple[float, Grounded]]:
    """Every number a reason on `dimension` may show, with its grounding: each chosen
    option's target on it and each approach's value."""
    d = content.dimension_by_id[dimension]
    numbers = [(getattr(d, a).value, getattr(d, a)) for a in ("mentoring", "coaching")]
    for spec in content.inputs:
        target = spec.option(inputs[spec.id]).targets.get(dimension)
        if target:
            numbers.append((target.need_value, target))
    return numbers


def supported(content: Content, quote: str, number: float, grounds) -> bool:
    """Whether a grounded number with this value cites a claim with this quote, read as
    quoted or by contrast (our own choices cite claims only as context: never supported)."""
    return any(
        f"{value:.0f}" == f"{number:.0f}"
        and grounding.basis in ("quote", "contrast")
        and any(content.claim_by_id[c].quote == quote for c in grounding.claims)
        for value, grounding in grounds
    )


def known_words(content: Content) -> list[str]:
    """Labels and reasons that may hold digits of their own (an option's months, "CMC-9 §5
    sets …"): removed before the numbers beside a quote are read."""
    words = [o.label for spec in content.inputs for o in spec.options]
    words += [spec.label for spec in content.inputs]
    numbers = [getattr(d, a) for d in content.dimensions for a in ("mentoring", "coaching")]
    numbers += [t for spec in content.inputs for o in spec.options for t in o.targets.values()]
    words += [n.reason for n in numbers if n.reason]
    return sorted(set(words), key=len, reverse=True)


KNOWN = known_words(CONTENT)


def numbers_beside(line: str) -> tuple[list[str], list[str]]:
    """The source quotes on a printed line and the numbers printed beside them."""
    quotes = QUOTE.findall(line)
    rest = QUOTE.sub(" ", line)
    for word in KNOWN:
        rest = rest.replace(word, " ")
    rest = LOCATION.sub(" ", rest)
    return quotes, NUMBER.findall(rest)


def check_printed(content: Content, result: Assessment, lines: list[str], where: str) -> int:
    """Walk printed lines: a line that starts a reason (its dimension's label) names the
    dimension and carries no quote; every other line with a quote carries exactly one number,
    one that the quote supports on that dimension. Returns the quotes checked."""
    labels = {d.label: d.id for d in content.dimensions}
    dimension = None
    checked = 0
    for line in lines:
        text = line.strip().lstrip("-• ").replace("**", "").replace("*", "")
        starts = next((i for label, i in labels.items() if text.startswith(f"{label} —")), None)
        quotes, numbers = numbers_beside(text)
        if starts:
            dimension = starts
            assert not quotes, f"{where}: a quote beside the reason's own numbers: {line}"
            continue
        if not quotes:
            continue
        assert dimension, f"{where}: a quote before any reason: {line}"
        grounds = grounded_numbers(content, dimension, result.inputs)
        assert len(quotes) == 1 and len(numbers) == 1, f"{where}: {line!r} ({numbers})"
        assert supported(content, quotes[0], float(numbers[0]), grounds), (
            f"{where}: “{quotes[0]}” is printed beside {numbers[0]}, which it does not say, on "
            f"{dimension} for {dict(result.inputs)}"
        )
        checked += 1
    return checked


def between(text: str, start: str, end: str) -> str:
    after = text[text.index(start) + len(start) :]
    return after[: after.index(end)] if end in after else after


def printed_reasons(content: Content, result: Assessment) -> dict[str, list[str]]:
    """Each place's reasons section, as printed lines."""
    cli = between(
        format_assessment(content, result), content.text("cli.reasons"), content.text("cli.changes")
    )
    brief = build_brief(content, result, "http://example.test/")
    why = content.text("brief.reasons_heading")
    markdown = between(brief.markdown, f"## {why}\n", "\n## ")
    html = between(brief.html, f"<h2>{why}</h2>", "<h2>")
    html_lines = [unescape(re.sub(r"<[^>]+>", "", part)) for part in re.split(r"<li\b[^>]*>", html)]
    page = reasons_markdown(content, result)
    return {
        "CLI": cli.splitlines(),
        "brief (Markdown)": markdown.splitlines(),
        "brief (HTML)": html_lines,
        "page": page.splitlines(),
    }


def test_the_walk_covers_every_main_combination():
    assert len(list(main_combinations(CONTENT))) == main_combination_count(CONTENT)


def test_every_reasons_chain_grounds_each_number_beside_its_own_quote():
    """The chain itself: every link's quote is from a claim that says its number (or from
    which it is read by contrast); our own choices carry no quote; the answers are exactly
    the chosen options that set a need on the dimension; both approaches' values are there."""
    for combo in main_combinations(CONTENT):
        result = score(CONTENT, resolve_inputs(CONTENT, combo))
        for group, words in zip(
            result.reason_groups(), reason_groups(CONTENT, result), strict=True
        ):
            for line, reason in zip(words.lines, group.contributions, strict=True):
                assert not line.quote, line.text
                grounds = grounded_numbers(CONTENT, reason.dimension, result.inputs)
                answers = [link for link in line.chain if link.kind == "answer"]
                offers = [link for link in line.chain if link.kind == "offer"]
                assert len(answers) == len(grounds) - 2 and len(offers) == 2, line.text
                for link in line.chain:
                    if link.basis == "editorial":
                        assert not link.quote, link
                    else:
                        assert link.quote and supported(CONTENT, link.quote, link.number, grounds)


def test_a_quote_is_only_ever_printed_beside_the_number_it_supports():
    """Every reason of every main combination, as printed by the CLI, the brief (Markdown
    and HTML) and the page (Explore and Personas share it)."""
    checked = 0
    for combo in main_combinations(CONTENT):
        result = evaluate(combo, content=CONTENT)
        for place, lines in printed_reasons(CONTENT, result).items():
            checked += check_printed(CONTENT, result, lines, place)
    assert checked > main_combination_count(CONTENT), "the walk found too few quotes to check"


def test_the_json_puts_each_quote_with_its_own_number():
    for combo in main_combinations(CONTENT):
        result = score(CONTENT, resolve_inputs(CONTENT, combo))
        for reason in assessment_json(CONTENT, result)["reasons"]:
            grounds = grounded_numbers(CONTENT, reason["dimension"], result.inputs)
            for entry in reason["need_from"]:
                if entry["quote"]:
                    assert supported(CONTENT, entry["quote"], entry["need"], grounds), entry
                else:
                    assert entry["basis"] == "editorial", entry
            assert set(reason["offers"]) == {reason["favours"], OTHER[reason["favours"]]}
            for offer in reason["offers"].values():
                if offer["quote"]:
                    assert supported(CONTENT, offer["quote"], offer["value"], grounds), offer


def test_the_issues_case_early_career_networks_is_shown_as_our_reading():
    """`verdict stage=early` once printed the networks need (74, our reading) beside MvC-Top
    ¶2's networks quote. Now the need's own source says "our choice", and the quote stands
    beside mentoring's 85 only."""
    result = evaluate({"stage": "early"}, content=CONTENT)
    network = CONTENT.dimension_by_id["network"]
    lines = [line for line in reason_groups(CONTENT, result)[0].lines if network.label in line.text]
    assert lines, "the networks reason is no longer shown for stage=early"
    (line,) = lines
    stage = next(link for link in line.chain if "Early career" in link.text)
    assert stage.basis == "editorial" and not stage.quote
    mentoring = next(link for link in line.chain if link.kind == "offer")
    assert mentoring.number == network.mentoring.value and mentoring.quote


@pytest.mark.parametrize("basis", ["quote", "contrast", "editorial"])
def test_each_basis_is_said_in_words_from_content(basis):
    template = CONTENT.text(f"chain.{basis}")
    assert "{text}" in template
    assert ("{quote}" in template) == (basis != "editorial")
