"""Reads for field work: the slice of cases a device may hold, what each case carries to
the device, the devices and conflicts a user may see."""

from datetime import datetime

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Window
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.utils.translation import get_language

from haven.accounts import policy
from haven.assessments import selectors as assessment_selectors
from haven.assessments.models import Assessment
from haven.assistance import sharing
from haven.assistance.models import ServiceDelivery, ServicePoint, ServiceType
from haven.cases import due
from haven.cases.models import Case, CasePlan, Note, Programme, Vulnerability
from haven.cases.workflow import Status, next_statuses
from haven.core import locations, pickers
from haven.core.models import Location
from haven.field.models import Conflict, Device, HeldCase, OfflinePick
from haven.people.models import Consent, ConsentPurpose, Sex
from haven.people.selectors import with_consent

NOTES_ON_DEVICE = 20
SERVICES_ON_DEVICE = 20
ASSESSMENTS_ON_DEVICE = 5
PLACES_ON_DEVICE = 5000
CASE_FIELDS = ("summary", "risk_level", "vulnerabilities")
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "original_script_name",
    "sex",
    "birth_date",
    "nationalities",
    "languages",
)


def slice_cases(device: Device):
    """The cases this device may hold now; the server alone decides. A person merged into
    another, or whose latest decision on registration is a withdrawal, leaves the slice."""
    latest = (
        Consent.objects.filter(person=OuterRef("person"), purpose=ConsentPurpose.REGISTRATION)
        .order_by("-recorded_at", "-id")
        .values("given")[:1]
    )
    picked = OfflinePick.objects.filter(user=device.user).values_list("case_id", flat=True)
    return (
        Case.objects.filter(policy.offline_case_q(device.user, picked))
        .filter(person__merged_into__isnull=True)
        .annotate(_registration_given=Subquery(latest))
        .exclude(_registration_given=False)
    )


def changed_cases(device: Device, since: datetime | None, after_id: int, limit: int):
    """Cases of the slice to send: changed since `since`, or not yet on the device; in id
    order from `after_id`, `limit` at most."""
    cases = slice_cases(device).filter(pk__gt=after_id)
    if since is not None:
        held = HeldCase.objects.filter(device=device).values("case_id")
        cases = cases.annotate(
            changed=Greatest(
                "updated_at",
                "person__updated_at",
                Coalesce(Max("notes__created_at"), "updated_at"),
                Coalesce(Max("deliveries__updated_at"), "updated_at"),
                Coalesce(Max("plan__updated_at"), "updated_at"),
                Coalesce(Max("assessments__updated_at"), "updated_at"),
            )
        ).filter(Q(changed__gt=since) | ~Q(pk__in=held))
    return list(cases.select_related("person").order_by("pk")[:limit])


def _latest(rows, order: tuple[str, ...], per_case: int):
    """The newest `per_case` rows of each case, cut in the database (a case with years of
    notes sends only its latest ones, without reading the rest)."""
    ordering = [F(name[1:]).desc() if name.startswith("-") else F(name).asc() for name in order]
    ranked = rows.annotate(rank=Window(RowNumber(), partition_by=[F("case_id")], order_by=ordering))
    return ranked.filter(rank__lte=per_case).order_by("case_id", *order)


def bundles(cases: list[Case]) -> list[dict]:
    """What the device holds of each case: the case, the person, recent notes and services,
    the workflow steps it may take next."""
    ids = [case.pk for case in cases]
    notes: dict[int, list] = {}
    for note in _latest(
        Note.objects.filter(case_id__in=ids).select_related("author"),
        ("-created_at", "-id"),
        NOTES_ON_DEVICE,
    ):
        notes.setdefault(note.case_id, []).append(
            {
                "id": note.pk,
                "body": note.body,
                "author": note.author.get_full_name() or note.author.username,
                "created_at": note.created_at.isoformat(),
            }
        )
    services: dict[int, list] = {}
    for delivery in _latest(
        ServiceDelivery.objects.filter(case_id__in=ids).select_related("service"),
        ("-delivered_on", "-id"),
        SERVICES_ON_DEVICE,
    ):
        services.setdefault(delivery.case_id, []).append(
            {
                "id": delivery.pk,
                "service": delivery.service.name,
                "delivered_on": delivery.delivered_on.isoformat(),
                "status": delivery.status,
            }
        )
    assessed = _assessments(ids)
    # One query for every person's referral consent, not one per case.
    consented = with_consent([case.person_id for case in cases], ConsentPurpose.REFERRAL)
    plan_rows = list(CasePlan.objects.filter(case_id__in=ids).prefetch_related("actions"))
    actions = {plan.case_id: list(plan.actions.all()) for plan in plan_rows}
    scheduled: dict[int, list] = {}
    for assessment in Assessment.objects.filter(
        case_id__in=ids, status="draft", due_on__isnull=False
    ).select_related("definition"):
        scheduled.setdefault(assessment.case_id, []).append(assessment)
    plans = {
        plan.case_id: {
            "goals": plan.goals,
            "state": plan.get_state_display(),
            "actions": [
                {
                    "description": action.description,
                    "due_on": action.due_on.isoformat() if action.due_on else None,
                    "done": action.done,
                }
                for action in actions[plan.case_id]
            ],
        }
        for plan in plan_rows
    }
    return [
        _bundle(
            case,
            notes.get(case.pk, []),
            services.get(case.pk, []),
            plans.get(case.pk),
            assessed.get(case.pk, []),
            case.person_id in consented,
            due.tasks_for(
                case, scheduled=scheduled.get(case.pk, []), plan_actions=actions.get(case.pk, [])
            ),
        )
        for case in cases
    ]


def _assessments(ids: list[int]) -> dict[int, list]:
    """The latest submitted assessments of each case: form, date and bands, not answers."""
    out: dict[int, list] = {}
    forms: dict = {}
    for assessment in _latest(
        Assessment.objects.filter(case_id__in=ids, status="submitted").select_related("definition"),
        ("-submitted_at", "-id"),
        ASSESSMENTS_ON_DEVICE,
    ):
        definition = assessment.definition
        if definition.pk not in forms:  # read each version once, not once per response
            forms[definition.pk] = definition.parsed()
        form = forms[definition.pk]
        out.setdefault(assessment.case_id, []).append(
            {
                "title": definition.title,
                "submitted_on": assessment.submitted_at.date().isoformat(),
                "bands": [
                    [form.text(rule.labels, get_language() or "en") or rule.name, band]
                    for rule in form.scores
                    if (band := (assessment.scores.get(rule.name) or {}).get("band"))
                ],
            }
        )
    return out


def _bundle(
    case: Case,
    notes: list,
    services: list,
    plan: dict | None,
    assessments: list,
    referral_consent: bool,
    tasks: list,
) -> dict:
    person = case.person
    return {
        "id": case.pk,
        "number": case.number,
        "version": case.version,
        "status": case.status,
        "programme": case.programme,
        "registered_on": case.registered_on.isoformat(),
        "next_due": case.next_due.isoformat() if case.next_due else None,
        "sensitive": case.sensitive,
        "steps": [s for s in next_statuses(case.status) if s != Status.CLOSED],
        **{name: getattr(case, name) for name in CASE_FIELDS},
        "person": {
            "id": person.pk,
            "version": person.version,
            **{
                name: (
                    getattr(person, name).isoformat()
                    if name == "birth_date" and person.birth_date
                    else getattr(person, name)
                )
                for name in PERSON_FIELDS
            },
        },
        "notes": notes,
        "services": services,
        "referral_consent": referral_consent,
        "plan": plan,
        "assessments": assessments,
        "tasks": [
            {"title": task.title, "due": task.due.isoformat(), "overdue": task.overdue}
            for task in tasks
        ],
    }


def reference(user) -> dict:
    """The lists the device's forms need, in the user's language, and the assessment forms
    the user may fill there (as XForms, for the same engine as online)."""
    return {
        "forms": assessment_forms(user),
        "places": places_for(user),
        "programmes": [[v, str(label)] for v, label in Programme.choices],
        "vulnerabilities": [[v, str(label)] for v, label in Vulnerability.choices],
        "sexes": [[v, str(label)] for v, label in Sex.choices],
        "statuses": [[v, str(label)] for v, label in Status.choices],
        "services": [
            [s.code, s.name] for s in ServiceType.objects.filter(active=True).order_by("name")
        ],
        "points": [
            {
                "id": point.pk,
                "name": f"{point.name} ({point.provider.name})",
                "services": [service.code for service in point.services.all()],
            }
            for point in ServicePoint.objects.filter(active=True)
            .select_related("provider")
            .prefetch_related("services")
            .order_by("name")
        ],
        "shareable": [[name, str(label)] for name, (label, _read) in sharing.SHAREABLE.items()],
        "countries": list(pickers.countries(get_language() or "en")),
        "languages": list(pickers.languages(get_language() or "en")),
    }


def places_for(user) -> list[list[str]]:
    """The places of the countries the user's offices are in, for the registration's place
    picker: [code, label as the online picker shows it, name]."""
    countries = set(
        user.offices.exclude(location=None).values_list("location__country_code", flat=True)
    )
    rows = (
        Location.objects.filter(country_code__in=countries)
        .select_related("parent")
        .order_by("level", "name", "code")[:PLACES_ON_DEVICE]
    )
    return [[place.code, locations.label(place), place.name] for place in rows]


def assessment_forms(user) -> list[dict]:
    if not policy.has_perm(user, "assessment.fill"):
        return []
    return [
        {
            "id": d.pk,
            "form_id": d.form_id,
            "title": d.title,
            "version": d.version,
            "xform": d.xform,
            # The CSV files of choices the form reads, carried with it to be filled offline.
            "media": d.media,
        }
        for d in assessment_selectors.current_definitions(user)
        if d.xform
    ]


def devices_visible_to(user):
    """The user's own devices, and those of users in the scope of their `field.devices`."""
    devices = Device.objects.select_related("user", "revoked_by")
    if not policy.has_perm(user, "field.devices"):
        return devices.filter(user=user)
    if "all" not in policy.scopes(user, "field.devices"):
        devices = devices.filter(user__agency_id=user.agency_id)
    devices = devices.prefetch_related("user__offices")
    ids = [d.pk for d in devices if policy.may_see_devices_of(user, d.user)]
    devices = Device.objects.select_related("user", "revoked_by")
    return devices.filter(Q(pk__in=ids) | Q(user=user))


def open_conflicts(user):
    """Conflicts on cases the user may update (the owner, assigned users, supervisors)."""
    cases = Case.objects.filter(policy.case_q(user, "case.update")).values("pk")
    return (
        Conflict.objects.filter(state=Conflict.State.OPEN, case__in=cases)
        .select_related("case", "operation__device__user")
        .order_by("created_at", "id")
    )


def picks_of(user):
    return OfflinePick.objects.filter(user=user).select_related("case").order_by("case__number")


def held_by(device: Device):
    """The cases the device was sent and not yet told to drop: numbers and status only."""
    return (
        HeldCase.objects.filter(device=device)
        .select_related("case")
        .order_by("case__number")
        .values_list("case__number", "case__status", "sent_at")
    )


def operation_counts(device: Device) -> dict[str, int]:
    counts = device.operations.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in counts}
