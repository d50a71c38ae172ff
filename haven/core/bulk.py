"""Bulk synthetic cases for load tests and benchmarks (`haven seed --cases N`).

Rows are inserted in batches without per-row audit events; one audit event records the run.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from haven.core import demo


def seed_cases(count: int, *, batch: int = 5000, seed: int = 11, progress=None) -> int:
    from haven.audit.actions import record_event
    from haven.cases.models import Case, CaseCounter, Programme, RiskLevel
    from haven.cases.workflow import Status
    from haven.people import names
    from haven.people.models import Person

    demo.load_locations()
    users = demo.create_agencies_and_users()
    workers = [users[u] for u in ("caseworker.a", "caseworker.a2", "caseworker.b")]
    offices = {w.pk: w.offices.first() for w in workers}
    rng = random.Random(seed)
    today = timezone.localdate()
    statuses = [s for s in Status.values if s != Status.REOPENED]
    programmes = list(demo.PROGRAMME_VULNERABILITIES)
    done = 0
    while done < count:
        size = min(batch, count - done)
        with transaction.atomic():
            picks = [rng.choice(workers) for _ in range(size)]
            numbers = _reserve_numbers(CaseCounter, picks, today.year)
            persons = []
            for worker in picks:
                given, family, script, sex, nationality, language = rng.choice(demo.NAMES)
                persons.append(
                    Person(
                        agency_id=worker.agency_id,
                        registered_by=worker,
                        given_name=given,
                        family_name=family,
                        original_script_name=script,
                        sex=sex,
                        birth_date=today - timedelta(days=rng.randint(12 * 365, 60 * 365)),
                        nationalities=[nationality],
                        languages=[language],
                        search_name=names.search_key(given, family, "", script),
                        duplicate_key=names.duplicate_key(given, family),
                    )
                )
            Person.objects.bulk_create(persons, batch_size=size)
            cases = []
            for worker, person, number in zip(picks, persons, numbers, strict=True):
                programme = rng.choice(programmes)
                registered = today - timedelta(days=rng.randint(0, 3 * 365))
                status = rng.choice(statuses)
                cases.append(
                    Case(
                        agency_id=worker.agency_id,
                        number=number,
                        person=person,
                        programme=programme,
                        vulnerabilities=[rng.choice(demo.PROGRAMME_VULNERABILITIES[programme])],
                        risk_level=rng.choice(RiskLevel.values),
                        sensitive=rng.random() < 0.05,
                        owner=worker,
                        office=offices[worker.pk],
                        status=status,
                        registered_on=registered,
                        assessment_due=registered + timedelta(days=3),
                        plan_due=registered + timedelta(days=14),
                        closed_on=registered + timedelta(days=60)
                        if status == Status.CLOSED
                        else None,
                        closure_reason="goals_met" if status == Status.CLOSED else "",
                    )
                )
            Case.objects.bulk_create(cases, batch_size=size)
        done += size
        if progress:
            progress(f"  {done:,} / {count:,} cases")
    record_event(None, "seed.bulk", details={"cases": count, "programmes": len(Programme.values)})
    return done


def _reserve_numbers(counter_model, picks, year) -> list[str]:
    """Take a block of numbers per agency at once (one locked counter update per agency)."""
    wanted: dict[int, int] = {}
    for worker in picks:
        wanted[worker.agency_id] = wanted.get(worker.agency_id, 0) + 1
    next_free = {}
    codes = {}
    for agency_id, n in wanted.items():
        counter, _ = counter_model.objects.get_or_create(agency_id=agency_id, year=year)
        counter = (
            counter_model.objects.select_for_update().select_related("agency").get(pk=counter.pk)
        )
        next_free[agency_id] = counter.last + 1
        codes[agency_id] = counter.agency.code.upper()
        counter.last += n
        counter.save(update_fields=["last"])
    numbers = []
    for worker in picks:
        n = next_free[worker.agency_id]
        next_free[worker.agency_id] += 1
        numbers.append(f"{codes[worker.agency_id]}-{year}-{n:06d}")
    return numbers
