"""Queuing background jobs from actions."""

from functools import partial

from django.db import transaction


def after_commit(task, *args) -> None:
    """Queue `task` once the action's transaction has committed, so that the job reads
    what was saved (and nothing is queued for a write that was rolled back)."""
    transaction.on_commit(partial(task.delay, *args))
