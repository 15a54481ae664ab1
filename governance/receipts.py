"""Receipt codes and what they seal: the digest published with a ballot and the sealed pointer
that leads its voter (and only them) back to it. Pure functions: services and selectors share
them."""

import hashlib
import secrets
import uuid

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand
RECEIPT_LENGTH = 20  # 100 bits
POINTER_BYTES = 16


assert len(RECEIPT_ALPHABET) == 32  # noqa: S101 - five random bits pick one character


def receipt_code_new() -> str:
    # One draw of 100 random bits (not twenty: each draw reads the system's random source),
    # five bits per character: every character is uniform over the 32 of the alphabet.
    bits = secrets.randbits(RECEIPT_LENGTH * 5)
    raw = "".join(RECEIPT_ALPHABET[(bits >> (5 * i)) & 31] for i in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, RECEIPT_LENGTH, 5))


def receipt_normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in RECEIPT_ALPHABET)


def receipt_digest(*, code: str, resolution_id: int) -> str:
    """The digest stored with the ballot and published in the ballot box."""
    text = f"voliere-ballot:{resolution_id}:{receipt_normalise(code)}"
    return hashlib.sha256(text.encode()).hexdigest()


def pointer_key(*, code: str, resolution_id: int) -> bytes:
    """The 16 bytes that seal and open the pointer to the ballot of `code` on a resolution.

    Another prefix than the digest's: the published digest says nothing about this key.
    """
    text = f"voliere-pointer:{resolution_id}:{receipt_normalise(code)}"
    return hashlib.sha256(text.encode()).digest()[:POINTER_BYTES]


def pointer_seal(*, ballot_id: uuid.UUID, code: str, resolution_id: int) -> bytes:
    key = pointer_key(code=code, resolution_id=resolution_id)
    return bytes(a ^ b for a, b in zip(ballot_id.bytes, key, strict=True))


def pointer_open(*, sealed: bytes, code: str, resolution_id: int) -> uuid.UUID:
    """The key of the urn ballot a pointer leads to, with this receipt (random bytes with
    another receipt: a key that finds no ballot)."""
    key = pointer_key(code=code, resolution_id=resolution_id)
    return uuid.UUID(bytes=bytes(a ^ b for a, b in zip(bytes(sealed), key, strict=True)))
