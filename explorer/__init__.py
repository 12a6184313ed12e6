"""Mentor or Coach? — the decision explorer's domain. Plain Python; no streamlit here."""

from explorer.content import Content, default_content, load_content
from explorer.errors import ContentError, ContentProblem, InputError
from explorer.scoring import Assessment, evaluate, sensitivity

__all__ = [
    "Assessment",
    "Content",
    "ContentError",
    "ContentProblem",
    "InputError",
    "default_content",
    "evaluate",
    "load_content",
    "sensitivity",
]
