"""Optimistic locking: a save names the version it started from, and loses to an earlier save."""

from django.utils.translation import gettext as _

from haven.core.errors import StaleEdit


def save_versioned(instance, expected_version: int, fields: list[str] | None = None) -> None:
    """Save `instance` only if its row is still at `expected_version`, and move it to the
    next version; otherwise refuse and change nothing. The one way every write of a
    versioned record ends, after `lock_at_version` or `lock_latest` where the action checks
    the current state first.

    The version is claimed by a conditional UPDATE; the save that follows goes through the
    model's own path (field preparation, text limits, `updated_at`). `fields` names what
    changed; without it every field is written."""
    model = type(instance)
    claimed = model._base_manager.filter(pk=instance.pk, version=expected_version).update(
        version=expected_version + 1
    )
    if not claimed:
        current = model._base_manager.filter(pk=instance.pk).values_list("version", flat=True)
        raise _stale(expected_version, current.first())
    instance.version = expected_version + 1
    if fields is None:
        instance.save()
        return
    written = {*fields, "version"}
    if any(f.name == "updated_at" for f in model._meta.fields):
        written.add("updated_at")
    instance.save(update_fields=sorted(written))


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
