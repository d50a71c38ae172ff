"""The deduplication of all persons: an admin starts it, a background job scores every
likely pair with the person model in use, and the pairs wait in a review queue for those
who may see both persons (who merge them, or say they are two people)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.core.errors import InvalidTransition, NotAllowed
from haven.core.jobs import after_commit
from haven.people.actions import require_editable
from haven.people.models import Person
from haven.tracing import matching, tasks
from haven.tracing.dedupe_job import RUNNING
from haven.tracing.models import DedupeJob, DuplicatePair, JobStatus, PairStatus


@audited
def start_job(user) -> DedupeJob:
    if not policy.has_perm(user, "person.deduplicate"):
        raise NotAllowed(_("Your role may not run the deduplication."))
    if DedupeJob.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists():
        raise InvalidTransition(_("A deduplication is already running: wait for it to end."))
    job = DedupeJob.objects.create(started_by=user)
    record_event(user, "dedupe.start", obj=job, agency_id=user.agency_id)
    after_commit(tasks.run_dedupe, job.pk)
    return job


@audited
def cancel_job(user, job: DedupeJob) -> DedupeJob:
    """Stop a deduplication: its job stops at its next step (cancelled before it saves
    the pairs, it queues none)."""
    if not DedupeJob.objects.filter(policy.dedupe_job_q(user), pk=job.pk).exists():
        raise NotAllowed(_("Your role may not run the deduplication."))
    if not DedupeJob.objects.filter(pk=job.pk, status__in=RUNNING).update(
        status=JobStatus.CANCELLED, finished_at=timezone.now()
    ):
        raise InvalidTransition(_("This deduplication is no longer running."))
    record_event(user, "dedupe.cancel", obj=job, agency_id=user.agency_id)
    job.refresh_from_db()
    return job


@audited
def dismiss_pair(user, pair: DuplicatePair) -> DuplicatePair:
    """Two people after all: the pair leaves the queue for good, and teaches the model."""
    if not policy.has_perm(user, "person.merge"):
        raise NotAllowed(_("Your role may not decide on duplicates."))
    require_editable(user, pair.first)
    require_editable(user, pair.second)
    if pair.status != PairStatus.PENDING:
        raise InvalidTransition(_("This pair was already decided."))
    pair.status, pair.decided_by, pair.decided_at = PairStatus.DISMISSED, user, timezone.now()
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    for person, other in ((pair.first, pair.second), (pair.second, pair.first)):
        record_event(user, "person.not_duplicate", obj=person, details={"other": other.pk})
    after_commit(tasks.recalibrate_model)
    return pair


def queue_found_at_sync(user, person: Person) -> list[DuplicatePair]:
    """A person registered offline, checked against everyone the server holds when the
    registration arrives: each likely duplicate joins the review queue (pairs already
    decided are not asked again). Returns the pairs now waiting."""
    matches = matching.find(matching.person_record(person), exclude={person.pk})
    if not matches:
        return []
    job = DedupeJob.objects.create(
        started_by=user,
        status=JobStatus.DONE,
        progress=100,
        stage="done",
        persons=1,
        pairs=len(matches),
        finished_at=timezone.now(),
    )
    pairs = []
    for match in matches:
        low, high = sorted((person.pk, match.person.pk))
        pair, _created = DuplicatePair.objects.get_or_create(
            first_id=low,
            second_id=high,
            defaults={
                "job": job,
                "probability": match.probability,
                "explanation": match.explanation,
                "vector": match.vector,
            },
        )
        if pair.status == PairStatus.PENDING:
            pairs.append(pair)
    record_event(
        user, "dedupe.sync_check", obj=job, details={"person": person.pk, "pairs": len(pairs)}
    )
    return pairs
