"""The deduplication of all persons, as a background job: read every person the starter's
grant reaches, score every likely pair with the person model in use, save the likeliest
pairs for review. Progress shows as it goes; cancelled before saving, it saves nothing."""

import logging

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext_noop

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.core.jobs import Cancelled, advance
from haven.linkage.model import Model
from haven.linkage.people import COLUMNS, THRESHOLD, find_duplicates
from haven.people.match_keys import linked_values
from haven.people.models import Person
from haven.tracing import matching
from haven.tracing.models import DedupeJob, DuplicatePair, JobStatus, PairStatus

logger = logging.getLogger(__name__)
MAX_PAIRS = 50_000  # the most pairs one job puts in the queue (the likeliest first)
_BATCH = 2_000
_FIELDS = [
    "pk",
    "given_name",
    "family_name",
    "original_script_name",
    "sex",
    "birth_date",
    "birth_date_precision",
    "nationalities",
    "current_location_id",
]
# Stages, shown in the user's language on the job page.
STAGES = {
    "read": gettext_noop("Reading the persons"),
    "compare": gettext_noop("Comparing likely pairs"),
    "save": gettext_noop("Saving the pairs to review"),
    "done": gettext_noop("Done"),
}


RUNNING = (JobStatus.QUEUED, JobStatus.RUNNING)


def _progress(job: DedupeJob, percent: int, stage: str, **fields) -> None:
    advance(DedupeJob, job.pk, RUNNING, percent, stage, **fields)


def _columns(ids: list[int], starter) -> dict[str, list]:
    records = []
    persons = Person.objects.filter(policy.dedupe_persons_q(starter), merged_into__isnull=True)
    rows = persons.order_by("pk").values(*_FIELDS)
    batch: list[dict] = []
    for row in rows.iterator(chunk_size=_BATCH):
        batch.append(row)
        if len(batch) == _BATCH:
            records.extend(_records(batch, ids))
            batch = []
    records.extend(_records(batch, ids))
    return {name: [r[name] for r in records] for name in COLUMNS}


def _records(rows: list[dict], ids: list[int]) -> list[dict]:
    """The engine's records of a batch of persons, with their relatives, documents and
    contacts read for the whole batch at once."""
    linked = linked_values([row["pk"] for row in rows])
    ids.extend(row["pk"] for row in rows)
    return [matching.person_record(row, linked.get(row["pk"], {})) for row in rows]


def run_job(job_id: int) -> DedupeJob | None:
    """The job itself (a background task): progress is visible as it goes; a failure is
    recorded on the job with its reason, and nothing already in the queue is lost."""
    job = DedupeJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
    if job is None:
        return None
    try:
        _progress(job, 1, STAGES["read"], status=JobStatus.RUNNING)
        found = _find_pairs(job)
        _progress(
            job,
            100,
            STAGES["done"],
            status=JobStatus.DONE,
            pairs=found,
            finished_at=timezone.now(),
        )
    except Cancelled:
        job.refresh_from_db()
        return job
    except Exception as exc:  # noqa: BLE001 - any failure ends the job with its reason
        logger.exception("Deduplication job %s failed", job.pk)
        try:
            _progress(
                job,
                job.progress,
                job.stage,
                status=JobStatus.FAILED,
                error=f"{type(exc).__name__}: {exc}"[:500],
                finished_at=timezone.now(),
            )
        except Cancelled:
            return job
        _finished(job, failed=True)
        return job
    _finished(job)
    job.refresh_from_db()
    return job


@audited
def _finished(job: DedupeJob, failed: bool = False) -> None:
    job.refresh_from_db()
    record_event(
        None,
        "dedupe.fail" if failed else "dedupe.finish",
        obj=job,
        agency_id=job.started_by.agency_id,
        details={"persons": job.persons, "pairs": job.pairs, "error": job.error},
    )


def _find_pairs(job: DedupeJob) -> int:
    ids: list[int] = []
    columns = _columns(ids, job.started_by)
    _progress(job, 20, STAGES["compare"], persons=len(ids))
    if len(ids) < 2:
        return 0
    model, version = matching.model_in_use()
    result, scores = find_duplicates(columns, model)
    probability = Model.probability(scores)
    keep = np.flatnonzero(probability >= THRESHOLD)
    keep = keep[np.argsort(-scores[keep])][:MAX_PAIRS]
    _progress(job, 80, STAGES["save"])  # the last moment to cancel: no pair saved yet
    # The model as adapted to these persons and how common each name and date is among
    # them, for lookups from now on.
    matching.save_population(result.model, len(ids), version)
    people = np.array(ids)
    return _save_pairs(job, people, result, keep, scores)


def _save_pairs(job, people, result, keep, scores) -> int:
    """The pairs kept, each explained by the model that scored it (the one adapted to
    these persons, term frequencies included) with the prior used."""
    shift = result.extra["prior_shift"]
    probability = Model.probability(scores)
    decided = {
        (a, b): status
        for a, b, status in DuplicatePair.objects.values_list("first", "second", "status")
    }
    new, update = [], []
    for i in keep:
        a, b = sorted((int(people[result.left[i]]), int(people[result.right[i]])))
        status = decided.get((a, b))
        if status is not None and status != PairStatus.PENDING:
            continue  # already merged, or said to be two people: not asked again
        explanation = result.explain(i, shift)
        pair = DuplicatePair(
            job=job,
            first_id=a,
            second_id=b,
            probability=float(probability[i]),
            explanation=explanation,
            vector=result.vectors[i].tolist(),
        )
        (update if status is not None else new).append(pair)
    DuplicatePair.objects.bulk_create(new, batch_size=_BATCH)
    for pair in update:
        DuplicatePair.objects.filter(first_id=pair.first_id, second_id=pair.second_id).update(
            job=job, probability=pair.probability, explanation=pair.explanation, vector=pair.vector
        )
    return len(new) + len(update)


# ---- the review queue -------------------------------------------------------------------
