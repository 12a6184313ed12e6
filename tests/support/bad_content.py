"""A corpus of broken content: each case edits one shipped file and names what must be reported.

Each case: (id, file, edit, expected key fragment). `edit` is either a pair
(old text, new text) replaced once in the file, or raw bytes that replace the whole file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from explorer.sources import SOURCES_ENV, sources_folder

# The two articles are not part of the product: tests read them from $EXPLORER_SOURCES_DIR
# (.ci/run sets it to ../shared/sources). Without it the quote checks cannot run; under CI
# they must.
SOURCES_DIR = sources_folder()
requires_sources = pytest.mark.skipif(
    SOURCES_DIR is None and os.environ.get("CI") != "true",
    reason=f"quotes need the source articles: set {SOURCES_ENV} to their folder",
)

CASES = [
    ("bad-yaml", "claims.yaml", ("claims:\n", "claims: [\n"), "line"),
    ("empty-file", "verdict.yaml", b"", "(top level)"),
    ("top-level-list", "sources.yaml", b"- a\n- b\n", "(top level)"),
    ("non-utf8", "claims.yaml", b"claims:\n  - id: \xff\xfe\n", "(file)"),
    ("wrong-type-value", "dimensions.yaml", ("value: 90\n", 'value: "ninety"\n'), "horizon"),
    ("value-above-100", "dimensions.yaml", ("value: 90\n", "value: 190\n"), "horizon"),
    (
        "negative-weight",
        "inputs.yaml",
        ("{need: 90, weight: 2.5,", "{need: 90, weight: -2.5,"),
        "goal",
    ),
    (
        "need-out-of-range",
        "inputs.yaml",
        ("{need: 15, weight: 3,", "{need: 150, weight: 3,"),
        "weeks",
    ),
    (
        "unknown-claim",
        "dimensions.yaml",
        ("claims: [mvc-field-experience]", "claims: [mvc-nope]"),
        "field",
    ),
    (
        "unknown-dimension",
        "inputs.yaml",
        ("          horizon: {need: 15", "          horizn: {need: 15"),
        "horizn",
    ),
    ("unknown-source", "claims.yaml", ("    source: CMC-9\n", "    source: CMC-10\n"), "source"),
    (
        "duplicate-claim-id",
        "claims.yaml",
        ("  - id: mvc-informal\n", "  - id: mvc-long-term\n"),
        "mvc-long-term",
    ),
    (
        "duplicate-option-id",
        "inputs.yaml",
        ("      - id: months\n", "      - id: weeks\n"),
        "weeks",
    ),
    (
        "option-without-targets-or-reason",
        "inputs.yaml",
        ("        reason: The sources say nothing specific about mid-career", "        # "),
        "mid",
    ),
    (
        "quote-basis-without-claims",
        "dimensions.yaml",
        ("      basis: quote\n      claims: [mvc-field-experience]\n", "      basis: quote\n"),
        "field",
    ),
    (
        "editorial-without-reason",
        "inputs.yaml",
        (
            '{need: midpoint, weight: 0.5, basis: editorial, reason: "No preference: the need'
            ' sits midway, with little weight."}',
            "{need: midpoint, weight: 0.5, basis: editorial}",
        ),
        "reason",
    ),
    (
        "quote-claim-off-topic",
        "dimensions.yaml",
        ("claims: [mvc-networks, mvc-institutional]\n", "claims: [mvc-networks, mvc-long-term]\n"),
        "network",
    ),
    (
        "quote-about-the-other-approach",
        "dimensions.yaml",
        ("claims: [mvc-coach-no-industry]", "claims: [mvc-field-experience]"),
        "field",
    ),
    ("unknown-topic", "claims.yaml", ("topics: [horizon]\n", "topics: [horizons]\n"), "topics"),
    (
        "location-not-in-the-form",
        "claims.yaml",
        ('location: "MvC-Top ¶2"', 'location: "page 2"'),
        "location",
    ),
    (
        "quote-at-the-wrong-location",
        "claims.yaml",
        (
            'location: "CMC-9 §2"\n    quote: "Mentoring aims',
            'location: "CMC-9 §7"\n    quote: "Mentoring aims',
        ),
        "cmc-2-holistic",
    ),
    (
        "missing-option-list",
        "inputs.yaml",
        ("    default: mid\n    options:\n", "    default: mid\n    choices:\n"),
        "stage",
    ),
    ("default-not-an-option", "inputs.yaml", ("default: year", "default: decade"), "default"),
    (
        "claim-without-source",
        "claims.yaml",
        ("  - id: cmc-9-cases\n    source: CMC-9\n", "  - id: cmc-9-cases\n"),
        "cmc-9-cases",
    ),
    (
        "quote-not-in-source",
        "claims.yaml",
        ('quote: "Real-life success stories illustrate"', 'quote: "Coaching always works"'),
        "cmc-9-cases",
    ),
    (
        "quote-too-long",
        "claims.yaml",
        ('quote: "Real-life success stories illustrate"', 'quote: "' + "word " * 30 + '"'),
        "quote",
    ),
    ("unknown-key", "verdict.yaml", ("tie_zone: 0.2", "tie_zone: 0.2\ntie_zoen: 0.3"), "tie_zoen"),
    ("tie-zone-out-of-range", "verdict.yaml", ("tie_zone: 0.2", "tie_zone: 1.5"), "tie_zone"),
    ("missing-verdict-text", "verdict.yaml", ("  blend:\n", "  blended:\n"), "approaches"),
    ("boolean-id", "inputs.yaml", ('      - id: "yes"\n', "      - id: yes\n"), "network"),
    (
        "equal-values",
        "dimensions.yaml",
        (
            "      value: 25\n      basis: quote\n      claims: [cmc-1-shorter-term",
            "      value: 90\n      basis: quote\n      claims: [cmc-1-shorter-term",
        ),
        "horizon",
    ),
    ("missing-main-input", "inputs.yaml", ("  - id: goal\n", "  - id: aim\n"), "goal"),
    (
        "yaml-alias-bomb",
        "sources.yaml",
        b"a: &a [x, x, x, x, x, x, x, x, x]\n"
        b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
        b"sources: [*c, *c, *c, *c, *c, *c]\n",
        "line",
    ),
    ("ten-megabyte-file", "claims.yaml", b"# " + b"x" * 10_000_000 + b"\n", "(file)"),
    ("missing-file", "ui.yaml", None, "(file)"),
]


def apply_case(directory: Path, file: str, edit: tuple[str, str] | bytes | None) -> None:
    """Break `file` in `directory` as the case says."""
    path = directory / file
    if edit is None:
        path.unlink()
    elif isinstance(edit, bytes):
        path.write_bytes(edit)
    else:
        old, new = edit
        text = path.read_text(encoding="utf-8")
        assert old in text, f"case no longer matches {file}: {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


NEEDS_SOURCES = {"quote-not-in-source", "quote-at-the-wrong-location"}


def case_params() -> list:
    """CASES as pytest params, with the source-dependent ones marked."""
    return [
        pytest.param(*case, id=case[0], marks=requires_sources if case[0] in NEEDS_SOURCES else ())
        for case in CASES
    ]
