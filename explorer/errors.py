"""The domain's own exception types, each carrying a message meant for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContentProblem:
    """One thing wrong with a content file: where it is, what was expected, what was found."""

    file: str
    key: str
    expected: str
    found: str = ""

    def __str__(self) -> str:
        found = f"; found {self.found}" if self.found else ""
        return f"{self.file}: {self.key}: expected {self.expected}{found}"


class ContentError(Exception):
    """Raised when content files are unreadable or inconsistent; lists every problem."""

    def __init__(self, problems: list[ContentProblem]):
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in content:\n{lines}")


class InputError(ValueError):
    """Raised for an unknown input key or option; names it and lists the valid ones."""
