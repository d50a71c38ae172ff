"""Background jobs, as actions queue them and as they report their progress."""

from functools import partial

from django.db import transaction


def after_commit(task, *args) -> None:
    """Queue `task` once the action's transaction has committed, so that the job reads
    what was saved (and nothing is queued for a write that was rolled back)."""
    transaction.on_commit(partial(task.delay, *args))


class Cancelled(Exception):
    """The job's row was cancelled while the job ran."""


def advance(model, pk: int, running, percent: int, stage: str, **fields) -> None:
    """Record a job's progress on its row at once (outside any transaction, so its page
    shows it while it runs); a row no longer in a `running` status was cancelled, and the
    job stops here."""
    if not model.objects.filter(pk=pk, status__in=running).update(
        progress=percent, stage=stage, **fields
    ):
        raise Cancelled
