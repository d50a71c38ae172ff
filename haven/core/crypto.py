"""Field encryption at rest (Fernet, keys from HAVEN_FIELD_KEYS) and blind indexes.

The first key encrypts; every key decrypts, so keys can be rotated without downtime:
put the new key first, run `haven rotate-keys`, then drop the old key.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.HAVEN_FIELD_KEYS)


def encrypt(plain: str) -> str:
    return _multi(_keys()).encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _multi(_keys()).decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise InvalidToken(
            "An encrypted field cannot be read with the keys in HAVEN_FIELD_KEYS"
        ) from exc


def encrypt_bytes(plain: bytes) -> str:
    return _multi(_keys()).encrypt(plain).decode()


def decrypt_bytes(token: str, ttl: int | None = None) -> bytes:
    """`ttl`: refuse a token made more than that many seconds ago."""
    try:
        return _multi(_keys()).decrypt(token.encode(), ttl=ttl)
    except InvalidToken as exc:
        raise InvalidToken(
            "An encrypted file cannot be read with the keys in HAVEN_FIELD_KEYS"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the first (primary) key."""
    return _multi(_keys()).rotate(token.encode()).decode()


def _index_digest(key: str, value: str) -> str:
    return hmac.new(key.encode(), b"blind-index:" + value.encode(), hashlib.sha256).hexdigest()


def blind_index(value: str) -> str:
    """A keyed digest for exact look-ups of an encrypted value (e.g. a document number)."""
    return _index_digest(_keys()[0], value)


def blind_index_candidates(value: str) -> list[str]:
    """Digests under every configured key, so look-ups keep working during a rotation."""
    return [_index_digest(key, value) for key in _keys()]
