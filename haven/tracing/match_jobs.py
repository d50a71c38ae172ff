"""The background work of tracing: looking again for the person each request seeks when
either side changes, and recalibrating the person model from caseworkers' decisions. Actions
queue these through tasks.py, after commit, so they read what was saved."""

import numpy as np
from django.db.models import Q

from haven.audit.actions import audited, record_event
from haven.people.models import ConsentPurpose, PersonMatchKey
from haven.people.selectors import has_consent, with_consent
from haven.tracing import matching
from haven.tracing.models import (
    ACTIVE_STATUSES,
    DuplicatePair,
    LinkageModel,
    MatchStatus,
    PairStatus,
    PotentialMatch,
    TracingRequest,
    TracingRequestKey,
)
from haven.tracing.selectors import sought_record

# Tracing shows weaker candidates than the duplicate warning: what an enquirer remembers
# is often vague, and a caseworker checks every candidate anyway.
THRESHOLD = 0.2
MAX_MATCHES = 20
TRACING = ConsentPurpose.TRACING


def _refreshed(request: TracingRequest, **counts: int) -> None:
    record_event(
        None,
        "tracing.matches_refresh",
        obj=request,
        agency_id=request.case.agency_id,
        details=counts,
    )


@audited
def refresh_matches(request: TracingRequest) -> list[PotentialMatch]:
    """Look again for the person sought: new candidates are added, those no longer likely
    and still undecided are dropped, decided ones keep their decision with a fresh score.
    Without the enquirer's tracing consent nothing is looked for, and undecided matches go.
    Persons without tracing consent are never candidates."""
    if not request.active:
        return []
    pending = request.matches.filter(status=MatchStatus.PENDING)
    if not has_consent(request.case.person, TRACING):
        dropped = pending.delete()[0]
        if dropped:
            _refreshed(request, found=0, dropped=dropped)
        return []
    found = matching.find(
        sought_record(request),
        exclude={request.case.person_id},
        threshold=THRESHOLD,
        among=lambda ids: with_consent(ids, TRACING),
    )[:MAX_MATCHES]
    existing = {m.person_id: m for m in request.matches.all()}
    added = 0
    for match in found:
        row = existing.get(match.person.pk)
        if row is None:
            row, added = PotentialMatch(request=request, person=match.person), added + 1
        row.probability, row.explanation = match.probability, match.explanation
        row.vector = match.vector
        row.save()
    found_ids = {m.person.pk for m in found}
    dropped = pending.exclude(person_id__in=found_ids).delete()[0]
    if added or dropped:
        _refreshed(request, found=len(found), dropped=dropped)
    return list(request.matches.all())


def refresh_for_person(person_id: int) -> int:
    """After a person changed (details, consent, a new registration): refresh the active
    requests that may be looking for them, already list them, or that they made."""
    keys = PersonMatchKey.objects.filter(person_id=person_id).values("key")
    ids = set(
        TracingRequestKey.objects.filter(key__in=keys, request__status__in=ACTIVE_STATUSES)
        .values_list("request_id", flat=True)
        .distinct()
    )
    ids |= set(
        TracingRequest.objects.filter(status__in=ACTIVE_STATUSES)
        .filter(Q(matches__person_id=person_id) | Q(case__person_id=person_id))
        .values_list("pk", flat=True)
    )
    for request in TracingRequest.objects.filter(pk__in=ids).select_related("case__person"):
        refresh_matches(request)
    return len(ids)


_PAIR_LABELS = {
    PairStatus.MERGED: MatchStatus.CONFIRMED,
    PairStatus.DISMISSED: MatchStatus.REJECTED,
}


@audited
def recalibrate() -> LinkageModel | None:
    """The shipped model blended with every decision so far (confirmed pairs teach what a
    match looks like, rejected ones what a non-match does); the result is used from now."""
    model = matching.fresh_model()
    width = len(model.outputs)
    labelled = {MatchStatus.CONFIRMED: [], MatchStatus.REJECTED: []}
    # Tracing decisions, and the duplicates merged or said to be two people.
    decided = [
        *PotentialMatch.objects.exclude(status=MatchStatus.PENDING).values_list("status", "vector"),
        *(
            (_PAIR_LABELS[status], vector)
            for status, vector in DuplicatePair.objects.filter(decided_by__isnull=False)
            .exclude(status=PairStatus.PENDING)
            .values_list("status", "vector")
        ),
    ]
    for status, vector in decided:
        if isinstance(vector, list) and len(vector) == width:
            labelled[status].append(vector)
    confirmed, rejected = labelled[MatchStatus.CONFIRMED], labelled[MatchStatus.REJECTED]
    if not confirmed and not rejected:
        return None
    model.calibrate(
        np.array(confirmed, dtype=np.int64).reshape(-1, width),
        np.array(rejected, dtype=np.int64).reshape(-1, width),
    )
    saved = LinkageModel.objects.create(
        parameters=model.to_dict(), confirmed=len(confirmed), rejected=len(rejected)
    )
    record_event(
        None,
        "linkage.recalibrate",
        obj=saved,
        details={"confirmed": len(confirmed), "rejected": len(rejected)},
    )
    matching.forget_model()
    return saved
