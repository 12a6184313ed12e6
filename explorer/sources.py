"""The source articles as text: which words sit in which paragraph (¶) or section (§).

Used by the content check to prove that every quote is verbatim *and* at the location its
claim gives. The articles are not part of the product: the folder holding them is passed in
(`--sources DIR` or $EXPLORER_SOURCES_DIR), and when it cannot be read the check says so.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SOURCES_ENV = "EXPLORER_SOURCES_DIR"
LOCATION = re.compile(r"^(?P<source>\S+) (?P<mark>[¶§])(?P<number>\d{1,3})$")
MARKS = {"paragraphs": "¶", "sections": "§"}
SECTION_HEADING = re.compile(r"^(\d{1,3})\.\s+\S")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalise(text: str) -> str:
    """Compare text as a reader would: Unicode-normalised, straight quotes, one space, any case."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().lower()


@dataclass(frozen=True)
class SourceText:
    """One article, split into its numbered parts (normalised text per ¶ or § number)."""

    whole: str
    parts: dict[int, str]


def _is_heading(line: str) -> bool:
    """A section heading ("6. Application…") or a short unnumbered one ("Conclusion")."""
    words = line.split()
    return bool(SECTION_HEADING.match(line)) or (len(words) <= 4 and not line.endswith("."))


def split_text(
    text: str, locations: Literal["paragraphs", "sections"], title_lines: int
) -> SourceText:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    parts: dict[int, list[str]] = {}
    if locations == "paragraphs":
        for number, line in enumerate(lines[title_lines:], start=1):
            parts[number] = [line]
    else:
        current: int | None = None
        for line in lines:
            heading = SECTION_HEADING.match(line)
            if heading:
                current = int(heading.group(1))
                parts[current] = []
            elif _is_heading(line):
                current = None
            elif current is not None:
                parts[current].append(line)
    return SourceText(
        whole=normalise(text),
        parts={n: normalise(" ".join(chunk)) for n, chunk in parts.items()},
    )


@dataclass(frozen=True)
class Location:
    source: str
    mark: str
    number: int


def parse_location(text: str) -> Location | None:
    """'MvC-Top ¶2' -> Location('MvC-Top', '¶', 2); None if it is not in that form."""
    match = LOCATION.match(text.strip())
    if not match:
        return None
    return Location(match["source"], match["mark"], int(match["number"]))


def sources_folder(explicit: str | Path | None = None) -> Path | None:
    """The folder given, else $EXPLORER_SOURCES_DIR, else None: the product never guesses."""
    chosen = explicit or os.environ.get(SOURCES_ENV)
    return Path(chosen) if chosen else None
