"""Participant identities and facilitator claims: what the server issues and checks.

Participant identities
    The server makes a random id and signs it (itsdangerous: HMAC-SHA256 over room code
    and id) with a secret kept in the database (so every replica checks the same signatures).
    The browser keeps ``<id>.<signature>`` in an HttpOnly cookie; an id the server did
    not sign for that room is refused, so no one can store answers under made-up ids,
    and no identity ever appears in a link that could be forwarded.

Device proofs
    Cookies ignore ports, so a page on another port of the same host can plant a cookie
    holding an identity of its own in a participant's browser and later read what was
    answered under it. So an identity counts only with the proof the server handed to the
    page it issued the identity to: an HMAC (itsdangerous) of the identity, kept by that
    page in its origin's own storage, which no page of another origin can write or read.

Facilitator claims
    A claim is a random one-time secret that a browser exchanges for the facilitator
    cookie. The database keeps only the claim's SHA-256 and the facilitator token
    *sealed* under the claim: encrypted and authenticated with cryptography's Fernet, with a
    key derived from the claim by HKDF-SHA256, so the token cannot be read back from the
    database without the claim, and a sealed value that was altered opens to nothing.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from itsdangerous import Signer

PARTICIPANT_ID_BYTES = 12  # 96 bits: 16 URL-safe characters
SECRET_BYTES = 32
CLAIM_BYTES = 24  # 192 bits: 32 URL-safe characters
MAX_IDENTITY_CHARS = 128
MAX_SEALED_CHARS = 256  # the claims table's column; a sealed 43-character token is ~160

_PARTICIPANT_ID_RE = re.compile(r"[A-Za-z0-9_-]{16}")
_SIGNATURE_RE = re.compile(r"[A-Za-z0-9_-]{43}")
_CLAIM_RE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def new_secret() -> str:
    """A fresh server secret (hex) for signing identities."""
    return secrets.token_hex(SECRET_BYTES)


def _participant_signer(secret: str) -> Signer:
    # HMAC-SHA256 with the secret itself as the key (itsdangerous' "none" derivation): the
    # signatures of identities issued before itsdangerous was used still verify.
    return Signer(
        bytes.fromhex(secret), key_derivation="none", digest_method=hashlib.sha256, sep="|"
    )


def _signed_part(code: str, participant_id: str) -> str:
    return f"participant|{code}|{participant_id}"


def sign_new_participant(secret: str, code: str) -> tuple[str, str]:
    """(participant id, cookie value ``<id>.<signature>``) for a new participant."""
    participant_id = secrets.token_urlsafe(PARTICIPANT_ID_BYTES)
    signature = _participant_signer(secret).get_signature(_signed_part(code, participant_id))
    return participant_id, f"{participant_id}.{signature.decode('ascii')}"


def verified_participant(secret: str, code: str, identity: object) -> str | None:
    """The participant id in ``identity`` if this server signed it for ``code``."""
    if not isinstance(identity, str) or len(identity) > MAX_IDENTITY_CHARS:
        return None
    participant_id, dot, signature = identity.partition(".")
    if not dot or not _PARTICIPANT_ID_RE.fullmatch(participant_id):
        return None
    if not _SIGNATURE_RE.fullmatch(signature):
        return None
    signer = _participant_signer(secret)
    if not signer.verify_signature(_signed_part(code, participant_id), signature):
        return None
    return participant_id


def _device_signer(secret: str, code: str) -> Signer:
    return Signer(bytes.fromhex(secret), salt=f"device|{code}", digest_method=hashlib.sha256)


def device_proof(secret: str, code: str, identity: str) -> str:
    """The proof that goes with ``identity`` to the page it was issued to."""
    return _device_signer(secret, code).get_signature(identity).decode("ascii")


def proof_matches(secret: str, code: str, identity: object, proof: object) -> bool:
    """Whether ``proof`` is the one issued with ``identity`` (constant-time)."""
    if not isinstance(identity, str) or not isinstance(proof, str) or len(proof) > 128:
        return False
    return _device_signer(secret, code).verify_signature(identity, proof)


def new_claim() -> str:
    return secrets.token_urlsafe(CLAIM_BYTES)


def claim_well_formed(claim: object) -> bool:
    return isinstance(claim, str) and bool(_CLAIM_RE.fullmatch(claim))


def claim_hash(claim: str) -> str:
    return hashlib.sha256(claim.encode("ascii")).hexdigest()


def _fernet(claim: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"explorer facilitator token"
    ).derive(claim.encode("ascii"))
    return Fernet(base64.urlsafe_b64encode(key))


def seal_token(claim: str, token: str) -> str:
    """The token sealed under the claim (Fernet: encrypted and authenticated)."""
    sealed = _fernet(claim).encrypt(token.encode("ascii")).decode("ascii")
    if len(sealed) > MAX_SEALED_CHARS:
        raise ValueError("token too long to seal")
    return sealed


def unseal_token(claim: str, sealed: str) -> str | None:
    """The token sealed under ``claim``, or None if ``sealed`` is not one it sealed."""
    try:
        return _fernet(claim).decrypt(sealed.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError, UnicodeError):
        return None


__all__ = [
    "claim_hash",
    "claim_well_formed",
    "device_proof",
    "new_claim",
    "new_secret",
    "proof_matches",
    "seal_token",
    "sign_new_participant",
    "unseal_token",
    "verified_participant",
]
