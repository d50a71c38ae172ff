"""Tracking codes: what a person keeps to follow their submission without an account.

16 symbols from Crockford's base-32 alphabet, drawn by `secrets`: 80 bits of entropy, so
guessing one among a million live codes at 1,000 tries a second takes ~10^12 years. Haven
stores only the SHA-256 digest: a copy of the database gives no code back, and with 80
random bits the digest cannot be reversed by trying codes.
"""

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 16
ENTROPY_BITS = LENGTH * 5
# Letters people misread or mistype, as Crockford's decoding reads them.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """K7QM2XPD9HRT4VWN → K7QM-2XPD-9HRT-4VWN: easier to copy down and read out."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise(typed: str) -> str | None:
    """The code as typed (any case, spaces, hyphens, O for 0…), or None if it cannot be one."""
    code = "".join(typed.split()).replace("-", "").upper().translate(_READ_AS)
    if len(code) != LENGTH or any(symbol not in ALPHABET for symbol in code):
        return None
    return code


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()
