"""Optimistic locking: a save names the version it started from, and loses to an earlier save."""

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.core.errors import StaleEdit


def save_versioned(instance, expected_version: int, fields: list[str]) -> None:
    """UPDATE the row only if still at `expected_version`; otherwise refuse and change nothing."""
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    values["version"] = expected_version + 1
    if any(f.name == "updated_at" for f in model._meta.fields):
        values["updated_at"] = timezone.now()
    updated = model._base_manager.filter(pk=instance.pk, version=expected_version).update(**values)
    if not updated:
        current = model._base_manager.filter(pk=instance.pk).values_list("version", flat=True)
        raise _stale(expected_version, current.first())
    instance.version = expected_version + 1


def lock_at_version(instance, expected_version: int) -> None:
    """Lock the row and reload it; refuse at once if someone saved since `expected_version`.

    Called first in an action, so every check that follows sees the current state.
    """
    model = type(instance)
    current = model._base_manager.select_for_update().filter(pk=instance.pk).first()
    if current is None or current.version != expected_version:
        raise _stale(expected_version, current.version if current else None)
    instance.refresh_from_db()


def lock_latest(instance) -> None:
    """Lock the row and reload it, for changes that apply to whatever version is current
    (an approval, an assignment, a transfer): they follow the latest edit, never undo it."""
    type(instance)._base_manager.select_for_update().filter(pk=instance.pk).exists()
    instance.refresh_from_db()


def _stale(mine, now) -> StaleEdit:
    return StaleEdit(
        _(
            "Someone else saved this record after you opened it (you edited version "
            "%(mine)s; it is now at version %(now)s). Nothing was saved: reload it, "
            "check their change, then make yours again."
        )
        % {"mine": mine, "now": now},
        field="version",
    )


def changed_fields(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if before.get(name) != after.get(name))


def audit_changes(before: dict, after: dict, loggable: set[str]) -> dict:
    """What changed, for the audit trail: values only for fields that hold no personal data."""
    changes = {}
    for name in changed_fields(before, after):
        changes[name] = (
            {"from": before.get(name), "to": after.get(name)} if name in loggable else "changed"
        )
    return changes
