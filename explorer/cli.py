"""Command line: `python -m explorer verdict key=option ... [--json]`,
`python -m explorer check [--content DIR] [--sources DIR] [--strict]` and
`python -m explorer reading` (how we read the sources, as Markdown)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from explorer.content import Content, default_content, load_content
from explorer.errors import ContentError, InputError
from explorer.explain import (
    Cited,
    assessment_json,
    change_lines,
    contested_lines,
    full_stop,
    lean_words,
    link_text,
    reason_groups,
    verdict_words,
)
from explorer.reading import reading_markdown
from explorer.scoring import Assessment, evaluate


def _parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    inputs = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise InputError(f"expected key=option, got {pair!r}")
        inputs[key.strip()] = value.strip()
    return inputs


def _reason(content: Content, line: Cited) -> list[str]:
    """A reason's sentence, then each link of its chain on its own line, each number beside
    its own grounding."""
    return [f"  - {line.plain}"] + [f"      {link_text(content, link)}" for link in line.chain]


def _with_quote(content: Content, line: Cited) -> str:
    if not line.quote:
        return line.plain
    lead = f"{content.text('basis.by_contrast')} " if line.basis == "contrast" else ""
    return f"{full_stop(line.plain)} {lead}\u201c{line.quote}\u201d ({line.location})"


def format_assessment(content: Content, result: Assessment) -> str:
    """A plain-text report of an assessment, with each reason's basis and citation."""
    text = content.verdict.approaches[result.verdict]
    lines = [
        content.text("cli.verdict", headline=text.headline),
        f"{verdict_words(content, result)} ({lean_words(content, result)})",
        text.blurb,
        "",
        content.text("cli.inputs"),
    ]
    for spec in content.inputs:
        lines.append(f"  {spec.label}: {spec.option(result.inputs[spec.id]).label}")
    lines += ["", content.text("cli.reasons")]
    reasons = reason_groups(content, result)
    for group in reasons:
        lines += [f"  {group.label}"] if group.label else []
        lines += [text for r in group.lines for text in _reason(content, r)]
    if not reasons:
        lines.append(f"  - {content.text('explore.no_reasons')}")
    lines += ["", content.text("cli.changes")]
    lines += [f"  - {line.replace('**', '')}" for line in change_lines(content, result)]
    for heading, summary, sides in contested_lines(content):
        lines += ["", heading, summary]
        lines += [f"  - {_with_quote(content, side)}" for side in sides]
    return "\n".join(lines)


def _verdict(args: argparse.Namespace) -> int:
    content = load_content(args.content) if args.content else default_content()
    result = evaluate(_parse_pairs(args.pairs), content=content)
    if args.json:
        print(json.dumps(assessment_json(content, result), indent=2, ensure_ascii=False))
    else:
        print(format_assessment(content, result))
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        content = load_content(args.content, sources_dir=args.sources)
    except ContentError as err:
        print(err, file=sys.stderr)
        return 1
    quotes = content.quotes
    counts = content.text(
        "cli.check_ok",
        claims=len(content.claims),
        dimensions=len(content.dimensions),
        inputs=len(content.inputs),
    )
    if quotes.checked:
        checked = content.text("cli.quotes_checked", detail=quotes.detail, folder=quotes.folder)
        print(f"{counts} {checked}")
        return 0
    print(counts + " " + content.text("cli.quotes_not_checked", detail=quotes.detail))
    if args.strict:
        print(content.text("cli.strict_failed"), file=sys.stderr)
        return 1
    return 0


def _reading(args: argparse.Namespace) -> int:
    content = load_content(args.content) if args.content else default_content()
    print(reading_markdown(content), end="")
    return 0


def _help_texts() -> dict[str, str]:
    """The command line's help words from the shipped content (none if it cannot load: the
    commands still work, and `check` then says what is wrong)."""
    try:
        return dict(default_content().ui["cli"]["help"])
    except ContentError:
        return {}


def main(argv: Sequence[str] | None = None) -> int:
    words = _help_texts()
    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    verdict = commands.add_parser("verdict", help=words.get("verdict"))
    verdict.add_argument("pairs", nargs="*", metavar="key=option")
    verdict.add_argument("--json", action="store_true", help=words.get("json"))
    verdict.add_argument("--content", help=words.get("content"))
    verdict.set_defaults(run=_verdict)
    check = commands.add_parser("check", help=words.get("check"))
    check.add_argument("--content", help=words.get("content"))
    check.add_argument("--sources", help=words.get("sources"))
    check.add_argument("--strict", action="store_true", help=words.get("strict"))
    check.set_defaults(run=_check)
    reading = commands.add_parser("reading", help=words.get("reading"))
    reading.add_argument("--content", help=words.get("content"))
    reading.set_defaults(run=_reading)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (InputError, ContentError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
