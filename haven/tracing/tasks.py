"""Background jobs of tracing: finding matches again when either side changes, and
recalibrating the person model after caseworkers' decisions.

Actions queue them after commit, so a job reads what was saved. Without a broker they
run at once, in the same process.
"""

from celery import shared_task

from haven.core.jobs import after_commit
from haven.tracing import dedupe_job, match_jobs
from haven.tracing.models import TracingRequest


@shared_task
def refresh_request_matches(request_id: int) -> int:
    request = TracingRequest.objects.select_related("case__person").filter(pk=request_id).first()
    return len(match_jobs.refresh_matches(request)) if request is not None else 0


@shared_task
def refresh_person_matches(person_id: int) -> int:
    """The active requests that may seek this person (or that they made), looked at again."""
    return match_jobs.refresh_for_person(person_id)


def queue_person_matches_refresh(person_id: int) -> None:
    """Subscribed to `hooks.PERSON_CHANGED`: the refresh runs once the change commits."""
    after_commit(refresh_person_matches, person_id)


@shared_task
def recalibrate_model() -> int | None:
    saved = match_jobs.recalibrate()
    return saved.pk if saved is not None else None


@shared_task
def run_dedupe(job_id: int) -> int | None:
    """The deduplication of all persons that an admin started."""
    job = dedupe_job.run_job(job_id)
    return job.pairs if job is not None else None
