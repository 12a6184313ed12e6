"""What the room store accepts from people: titles and answers, checked before any SQL.

Titles are shown on a projector and in every participant's phone, so besides length
and control characters they may not hold Unicode *format* characters (category Cf:
bidirectional overrides, zero-width marks), which can make "gnp.exe" read "exe.png" or
hide text. Nor may they stack more than MAX_STACKED_MARKS combining marks on one letter
("Zalgo" text spills over the lines above and below on the projector); the languages
that stack marks (Vietnamese, Thai, Devanagari) need two or three.

Look-alike letters (Cyrillic U+0430 for Latin "a") are accepted, on purpose: a title names a
room for its own participants and is shown as text only, never as a link or an
identity. What tells rooms apart is the code, which is ASCII.
Answers are small JSON objects of short strings with safe keys.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping

from .errors import (
    InvalidAnswer,
    InvalidTitle,
    TitleControlCharacters,
    TitleFormatCharacters,
    TitleStackedMarks,
    TitleTooLong,
)

ANSWER_KEY_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
MAX_STACKED_MARKS = 4
MAX_ANSWER_ITEMS = 32
MAX_ANSWER_VALUE_CHARS = 100
MAX_VERDICT_CHARS = 100
# Keys the store adds to answer dicts itself (snapshot, own_answer, export).
RESERVED_ANSWER_KEYS = frozenset({"verdict", "submitted_at"})


def has_control_chars(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def has_format_chars(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cf" for ch in text)


def most_stacked_marks(text: str) -> int:
    """The longest run of combining marks (categories Mn, Me) in ``text``."""
    longest = run = 0
    for ch in text:
        run = run + 1 if unicodedata.category(ch) in ("Mn", "Me") else 0
        longest = max(longest, run)
    return longest


def clean_title(title: object, limit: int) -> str:
    """The title stripped, or an InvalidTitle subclass saying what is wrong with it."""
    if title is None:
        return ""
    if not isinstance(title, str):
        raise InvalidTitle()
    clean = title.strip()
    if len(clean) > limit:
        raise TitleTooLong(limit=limit)
    if has_control_chars(clean):
        raise TitleControlCharacters()
    if has_format_chars(clean):
        raise TitleFormatCharacters()
    if most_stacked_marks(clean) > MAX_STACKED_MARKS:
        raise TitleStackedMarks(limit=MAX_STACKED_MARKS)
    return clean


def check_short_text(value: object, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer()
    value = value.strip()
    if not 1 <= len(value) <= limit or has_control_chars(value):
        raise InvalidAnswer()
    return value


def encode_answers(answers: object) -> str:
    if not isinstance(answers, Mapping) or len(answers) > MAX_ANSWER_ITEMS:
        raise InvalidAnswer()
    clean: dict[str, str] = {}
    for key, value in answers.items():
        if (
            not isinstance(key, str)
            or not ANSWER_KEY_RE.fullmatch(key)
            or key in RESERVED_ANSWER_KEYS
        ):
            raise InvalidAnswer()
        clean[key] = check_short_text(value, MAX_ANSWER_VALUE_CHARS)
    return json.dumps(clean, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def decode_answers(text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


__all__ = [
    "MAX_VERDICT_CHARS",
    "check_short_text",
    "clean_title",
    "decode_answers",
    "encode_answers",
    "has_control_chars",
    "has_format_chars",
]
