"""Reading Haven's configuration from the environment.

Secrets never live in the repository: when a secret is absent (a demo or a developer
machine) it is generated once into the var/ directory and reused from there.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

TRUE_WORDS = {"1", "true", "yes", "on"}


def flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def csv_list(name: str, default: str) -> list[str]:
    raw = os.environ.get(name, default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def _read_or_create(path: Path, make) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Created readable by the owner only: it is a secret.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def secret_key(var_dir: Path) -> str:
    value = os.environ.get("HAVEN_SECRET_KEY", "").strip()
    if value:
        return value
    return _read_or_create(var_dir / "secret_key", lambda: secrets.token_urlsafe(50))


def audit_key(var_dir: Path) -> str:
    """The key of the audit chains' MAC: whoever can write the database but not read this
    cannot make an altered chain verify."""
    value = os.environ.get("HAVEN_AUDIT_KEY", "").strip()
    if value:
        return value
    return _read_or_create(var_dir / "audit_key", lambda: secrets.token_urlsafe(48))


def field_keys(var_dir: Path) -> list[str]:
    """Fernet keys for encrypted fields; the first one encrypts, all of them decrypt."""
    raw = os.environ.get("HAVEN_FIELD_KEYS", "").strip()
    if not raw:
        raw = _read_or_create(var_dir / "field_keys", lambda: Fernet.generate_key().decode())
    keys = [key.strip() for key in raw.split(",") if key.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError as exc:
            raise ValueError(
                "HAVEN_FIELD_KEYS must be a comma-separated list of Fernet keys "
                "(32 url-safe base64-encoded bytes each); one of them is not."
            ) from exc
    return keys
