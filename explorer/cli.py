"""Command line: `python -m explorer verdict key=option ... [--json]` and `check`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from explorer.content import Content, default_sources_dir, load_content
from explorer.errors import ContentError, InputError
from explorer.scoring import Assessment, evaluate


def _parse_pairs(pairs: Sequence[str]) -> dict[str, str]:
    inputs = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise InputError(f"expected key=option, got {pair!r}")
        inputs[key.strip()] = value.strip()
    return inputs


def format_assessment(content: Content, result: Assessment) -> str:
    """A plain-text report of an assessment, with the reasons' quotes and citations."""
    text = content.verdict.approaches[result.verdict]
    lines = [
        f"Verdict: {text.headline} ({result.strength_label}; lean {result.lean:+.2f})",
        text.blurb,
        "Match: "
        + ", ".join(
            f"{content.verdict.approaches[a].label} {v:.0f}%" for a, v in result.match.items()
        ),
        "",
        "Inputs:",
    ]
    for spec in content.inputs:
        lines.append(f"  {spec.label}: {spec.option(result.inputs[spec.id]).label}")
    lines += ["", "Top reasons:"]
    for reason in result.reasons():
        dim = content.dimension_by_id[reason.dimension]
        offered = getattr(dim, reason.favours)
        claim = content.claim_by_id[offered.claims[0]]
        lines.append(
            f"  - {dim.label}: you need {reason.need:.0f}/100; "
            f"{reason.favours} offers {offered.value:.0f}. "
            f"\u201c{claim.quote}\u201d ({claim.location})"
        )
    nearest = result.nearest_changes()
    lines += ["", "What would change it:"]
    for change in nearest:
        spec = content.input_by_id[change.input]
        lines.append(
            f"  - {spec.label}: {spec.option(change.to_option).label} "
            f"-> {content.verdict.approaches[change.verdict].headline}"
        )
    if not nearest:
        lines.append("  - no single change of one input gives another verdict")
    return "\n".join(lines)


def _verdict(args: argparse.Namespace) -> int:
    content = load_content(args.content) if args.content else None
    result = evaluate(_parse_pairs(args.pairs), content=content)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        from explorer.content import default_content

        print(format_assessment(content or default_content(), result))
    return 0


def _check(args: argparse.Namespace) -> int:
    try:
        content = load_content(args.content)
    except ContentError as err:
        print(err, file=sys.stderr)
        return 1
    sources = default_sources_dir()
    quoted = "checked against" if sources.is_dir() else "NOT checked (missing)"
    print(
        f"content OK: {len(content.claims)} claims, {len(content.dimensions)} dimensions, "
        f"{len(content.inputs)} inputs; quotes {quoted} {sources}"
    )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    verdict = commands.add_parser("verdict", help="assess a set of inputs")
    verdict.add_argument("pairs", nargs="*", metavar="key=option")
    verdict.add_argument("--json", action="store_true", help="print JSON")
    verdict.add_argument("--content", help="content folder (default: the shipped one)")
    verdict.set_defaults(run=_verdict)
    check = commands.add_parser("check", help="validate content files")
    check.add_argument("--content", help="content folder (default: the shipped one)")
    check.set_defaults(run=_check)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (InputError, ContentError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
