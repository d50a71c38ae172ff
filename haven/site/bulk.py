"""Bulk synthetic cases for load tests and benchmarks (`haven seed --cases N`).

The shape follows a real deployment: two agencies, dozens of offices, a few hundred
caseworkers with a few thousand cases each, names drawn from several languages. Rows are
inserted in batches without per-row audit events; one audit event records the run.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from haven.site import demo

CASES_PER_WORKER = 2000
WORKERS_PER_OFFICE = 10
FAMILY_SUFFIXES = ["", "", "", " Ali", " Hassan", " Ibrahim", " Mohamed", " Diallo", " Yusuf"]


def seed_cases(count: int, *, batch: int = 5000, seed: int = 11, progress=None) -> int:
    from haven.audit.actions import record_event
    from haven.cases.models import Case, CaseCounter, RiskLevel
    from haven.cases.workflow import Status
    from haven.people import names
    from haven.people.models import Person

    demo.load_locations()
    users = demo.create_agencies_and_users()
    workers = _staff(users, max(1, count // CASES_PER_WORKER))
    rng = random.Random(seed)
    today = timezone.localdate()
    statuses = [s for s in Status.values if s != Status.REOPENED]
    programmes = list(demo.PROGRAMME_VULNERABILITIES)
    given_pool = [n[0] for n in demo.NAMES]
    done = 0
    while done < count:
        size = min(batch, count - done)
        with transaction.atomic():
            picks = [rng.choice(workers) for _ in range(size)]
            numbers = _reserve_numbers(CaseCounter, picks, today.year)
            persons = []
            for worker, _office in picks:
                _g, family, script, sex, nationality, language = rng.choice(demo.NAMES)
                given = rng.choice(given_pool)
                family = family + rng.choice(FAMILY_SUFFIXES)
                persons.append(
                    Person(
                        agency_id=worker.agency_id,
                        registered_by=worker,
                        given_name=given,
                        family_name=family,
                        original_script_name=script if rng.random() < 0.5 else "",
                        sex=sex,
                        birth_date=today - timedelta(days=rng.randint(12 * 365, 60 * 365)),
                        nationalities=[nationality],
                        languages=[language],
                        search_name=names.search_key(given, family, "", script),
                    )
                )
            Person.objects.bulk_create(persons, batch_size=size)
            cases = []
            for (worker, office), person, number in zip(picks, persons, numbers, strict=True):
                programme = rng.choice(programmes)
                registered = today - timedelta(days=rng.randint(0, 3 * 365))
                status = rng.choice(statuses)
                closed = status == Status.CLOSED
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
                        office=office,
                        status=status,
                        registered_on=registered,
                        assessment_due=registered + timedelta(days=3),
                        plan_due=registered + timedelta(days=14),
                        follow_up_due=registered + timedelta(days=60),
                        closed_on=registered + timedelta(days=90) if closed else None,
                        closure_reason="goals_met" if closed else "",
                    )
                )
            Case.objects.bulk_create(cases, batch_size=size)
        done += size
        if progress and (done % 50000 == 0 or done == count):
            progress(f"  {done:,} / {count:,} cases")
    record_event(None, "seed.bulk", details={"cases": count, "workers": len(workers)})
    return done


def _staff(users, wanted: int):
    """The demo caseworkers plus synthetic ones, WORKERS_PER_OFFICE to an office."""
    from haven.accounts.models import Office, Role, RoleGrant, User

    role = Role.objects.get(code="caseworker")
    demo_workers = ("caseworker.a", "caseworker.a2", "caseworker.b")
    staff = [(users[u], users[u].offices.first()) for u in demo_workers]
    agencies = [users["caseworker.a"].agency, users["caseworker.b"].agency]
    existing = User.objects.filter(username__startswith="cw.").count()
    for n in range(existing, max(0, wanted - len(staff))):
        agency = agencies[n % 2]
        office, _ = Office.objects.get_or_create(
            agency=agency, name=f"Field office {n // WORKERS_PER_OFFICE + 1}"
        )
        user = User.objects.create(username=f"cw.{agency.code}.{n}", agency=agency)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.offices.add(office)
        RoleGrant.objects.create(user=user, role=role, scope="own")
    for user in User.objects.filter(username__startswith="cw.").prefetch_related("offices"):
        staff.append((user, user.offices.all()[0]))
    return staff


def _reserve_numbers(counter_model, picks, year) -> list[str]:
    """Take a block of numbers per agency at once (one locked counter update per agency)."""
    wanted: dict[int, int] = {}
    for worker, _office in picks:
        wanted[worker.agency_id] = wanted.get(worker.agency_id, 0) + 1
    next_free, codes = {}, {}
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
    for worker, _office in picks:
        n = next_free[worker.agency_id]
        next_free[worker.agency_id] += 1
        numbers.append(f"{codes[worker.agency_id]}-{year}-{n:06d}")
    return numbers
