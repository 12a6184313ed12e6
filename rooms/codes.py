"""Room codes and facilitator tokens.

Codes are short and typed by people, so they use an alphabet without look-alike
characters (no 0/O, no 1/I/L). Tokens are long random secrets; the store keeps
only their SHA-256 hash and compares hashes in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from .errors import InvalidCode

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
TOKEN_BYTES = 24
# A token from secrets.token_urlsafe(24) is 32 characters; anything far longer
# is not one of ours and is refused before hashing.
MAX_TOKEN_CHARS = 256

_CODE_RE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_SEPARATORS_RE = re.compile(r"[\s\-\u2010-\u2015]+")


def new_code() -> str:
    """Return a fresh random room code, e.g. ``"K7QPX3"``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: object) -> str:
    """Turn what a person typed into a canonical room code.

    Strips, upper-cases and drops spaces and dashes (``" abc-234 "`` ->
    ``"ABC234"``). Raises :class:`InvalidCode` for anything that is not then
    exactly 6 characters of :data:`CODE_ALPHABET`.
    """
    if not isinstance(text, str) or len(text) > 64:
        raise InvalidCode()
    code = _SEPARATORS_RE.sub("", text.strip()).upper()
    if not _CODE_RE.fullmatch(code):
        raise InvalidCode()
    return code


def new_token() -> str:
    """Return a fresh facilitator token (URL-safe, 192 bits of randomness)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token: the only form the store keeps."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(token: object, token_hash: str) -> bool:
    """True when ``token`` hashes to ``token_hash`` (constant-time compare)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return False
    try:
        candidate = hash_token(token)
    except UnicodeEncodeError:  # lone surrogates cannot be one of our tokens
        return False
    return hmac.compare_digest(candidate.encode("ascii"), token_hash.encode("ascii"))


__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "hash_token",
    "new_code",
    "new_token",
    "normalise_code",
    "token_matches",
]
