"""Names of the cookies that hold a room's secrets in the browser.

The facilitator token and a participant's signed identity live in HttpOnly,
SameSite=Strict cookies set by the app's own routes, never in a URL: a page on a
projector, a screenshot, the browser history and a proxy's access log show no key.
Pages read them with ``st.context.cookies[facilitator_cookie(code)]``.
"""

from __future__ import annotations

FACILITATOR_PREFIX = "explorer_facilitator_"
PARTICIPANT_PREFIX = "explorer_participant_"


def facilitator_cookie(code: str) -> str:
    """``explorer_facilitator_<CODE>``: the facilitator token of room ``code``."""
    return f"{FACILITATOR_PREFIX}{code}"


def participant_cookie(code: str) -> str:
    """``explorer_participant_<CODE>``: this device's signed identity in room ``code``."""
    return f"{PARTICIPANT_PREFIX}{code}"


__all__ = ["facilitator_cookie", "participant_cookie"]
