"""Demo agencies, offices, users and about 300 synthetic cases with multilingual names.

Everything here is invented. The usernames are fixed: tests and docs use them.
"""

import random
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

# Demo mode only: printed by `make run`, never valid outside a demo database.
DEMO_PASSWORD = "Haven-demo-2026"  # noqa: S105

AGENCIES = {
    "ha": ("Harbour Aid", [("Agadez field office", "NE001001"), ("Niamey office", "NE008001")]),
    "bpn": ("Borderlands Protection Network", [("Tripoli office", "LY021001")]),
}

# username: (first name, last name, agency, office index, role, scope)
USERS = {
    "caseworker.a": ("Amina", "Souley", "ha", 0, "caseworker", "own"),
    "caseworker.a2": ("Ibrahim", "Moussa", "ha", 0, "caseworker", "own"),
    "supervisor.a": ("Mariam", "Diallo", "ha", 0, "supervisor", "office"),
    "supervisor.a2": ("Oumar", "Sanogo", "ha", 0, "supervisor", "office"),
    "protection.a": ("Fatima", "Alhassane", "ha", 0, "protection_officer", "agency"),
    "dpo.a": ("Claire", "Martin", "ha", 1, "data_protection_officer", "agency"),
    "feedback.a": ("Aïcha", "Garba", "ha", 0, "feedback_focal_point", "agency"),
    "psea.a": ("Nadia", "Karim", "ha", 1, "psea_focal_point", "agency"),
    "caseworker.b": ("Salem", "Ben Ali", "bpn", 0, "caseworker", "own"),
    "supervisor.b": ("Huda", "Mansour", "bpn", 0, "supervisor", "office"),
    "analyst": ("Jonas", "Berg", "ha", 1, "analyst", "agency"),
    "admin": ("Sys", "Admin", None, None, "system_admin", "all"),
}

# (given, family, original script, sex, nationality, language)
NAMES = [
    ("Mohamed", "Haddad", "محمد حداد", "male", "SY", "ara"),
    ("Muhammad", "Al-Masri", "محمد المصري", "male", "EG", "ara"),
    ("Amal", "Haddad", "أمل حداد", "female", "SY", "ara"),
    ("Fatima", "Zahra", "فاطمة الزهراء", "female", "MA", "ara"),
    ("Youssef", "Ben Salah", "يوسف بن صالح", "male", "TN", "ara"),
    ("Khadija", "Omar", "خديجة عمر", "female", "SD", "ara"),
    ("Abdullahi", "Warsame", "", "male", "SO", "som"),
    ("Hodan", "Abdi", "", "female", "SO", "som"),
    ("Tesfay", "Gebremedhin", "ተስፋይ ገብረመድህን", "male", "ER", "tir"),
    ("Selam", "Tekle", "ሰላም ተክለ", "female", "ER", "tir"),
    ("Chinedu", "Okafor", "", "male", "NG", "ibo"),
    ("Blessing", "Adeyemi", "", "female", "NG", "yor"),
    ("Aminata", "Traoré", "", "female", "ML", "bam"),
    ("Moussa", "Keïta", "", "male", "ML", "bam"),
    ("Awa", "Ndiaye", "", "female", "SN", "wol"),
    ("Mamadou", "Diop", "", "male", "SN", "fra"),
    ("Ahmad", "Rahimi", "احمد رحیمی", "male", "AF", "prs"),
    ("Zahra", "Hosseini", "زهرا حسینی", "female", "AF", "prs"),
    ("Olena", "Kovalenko", "Олена Коваленко", "female", "UA", "ukr"),
    ("Dmytro", "Shevchenko", "Дмитро Шевченко", "male", "UA", "ukr"),
    ("María José", "Rodríguez", "", "female", "VE", "spa"),
    ("José Luis", "Hernández", "", "male", "HN", "spa"),
    ("Kofi", "Mensah", "", "male", "GH", "eng"),
    ("Mariam", "Ouédraogo", "", "female", "BF", "fra"),
    ("Ibrahim", "Issoufou", "", "male", "NE", "hau"),
    ("Hadiza", "Abdou", "", "female", "NE", "hau"),
]

PROGRAMME_VULNERABILITIES = {
    "counter_trafficking": ["trafficking_victim"],
    "child_protection": ["uasc"],
    "gbv": ["gbv_survivor"],
    "vulnerable_migrants": ["stranded", "smuggled_migrant", "detained", "disability"],
    "return_reintegration": ["returnee"],
}

SUMMARIES = [
    "Met at the transit centre; needs shelter and medical check.",
    "Stranded after the route closed; asks for help to return home.",
    "Reports being held by recruiters; documents confiscated.",
    "Unaccompanied; looking for an older brother who travelled ahead.",
    "Detained for irregular entry; asks for legal aid.",
]


def load_locations():
    from haven.core.locations import import_hxl

    return import_hxl(str(Path(__file__).parent / "data" / "demo_locations.csv"))


@transaction.atomic
def create_agencies_and_users():
    from haven.accounts.models import Agency, Office, Role, RoleGrant, User
    from haven.core.models import Location

    offices = {}
    for code, (name, office_list) in AGENCIES.items():
        agency, _ = Agency.objects.get_or_create(code=code, defaults={"name": name})
        offices[code] = [
            Office.objects.get_or_create(
                agency=agency,
                name=office_name,
                defaults={"location": Location.objects.filter(code=location).first()},
            )[0]
            for office_name, location in office_list
        ]
    users = {}
    for username, (first, last, agency_code, office_index, role, scope) in USERS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "agency": Agency.objects.filter(code=agency_code).first() if agency_code else None,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            if agency_code:
                user.offices.add(offices[agency_code][office_index])
            RoleGrant.objects.create(user=user, role=Role.objects.get(code=role), scope=scope)
        users[username] = user
    return users


def create_cases(users, count: int = 300, seed: int = 7):
    """Register cases through the actions (so they are audited); walk some through the workflow."""
    from haven.cases import actions, approval_actions
    from haven.cases.models import Approval
    from haven.people import actions as people_actions

    rng = random.Random(seed)
    today = timezone.localdate()
    workers = {"ha": ["caseworker.a", "caseworker.a2"], "bpn": ["caseworker.b"]}
    supervisors = {"ha": "supervisor.a", "bpn": "supervisor.b"}
    created = []
    for i in range(count):
        agency = "ha" if i % 4 else "bpn"
        worker = users[rng.choice(workers[agency])]
        given, family, script, sex, nationality, language = rng.choice(NAMES)
        programme = rng.choice(list(PROGRAMME_VULNERABILITIES))
        child = programme == "child_protection"
        age = rng.randint(12, 17) if child else rng.randint(18, 55)
        precision = rng.choice(["exact", "exact", "year", "estimated"])
        birth = today - timedelta(days=age * 365 + rng.randint(0, 364))
        if precision == "year":
            birth = birth.replace(month=1, day=1)
        registered = today - timedelta(days=rng.randint(0, 400))
        case = actions.register(
            worker,
            person={
                "given_name": given,
                "family_name": family,
                "original_script_name": script,
                "sex": sex,
                "birth_date": birth,
                "birth_date_precision": precision,
                "nationalities": [nationality],
                "languages": [language],
                "care_status": rng.choice(["separated", "unaccompanied"]) if child else "",
            },
            case={
                "programme": programme,
                "vulnerabilities": rng.sample(
                    PROGRAMME_VULNERABILITIES[programme],
                    k=min(len(PROGRAMME_VULNERABILITIES[programme]), rng.randint(1, 2)),
                ),
                "risk_level": rng.choice(["low", "medium", "medium", "high", "critical"]),
                # Only Harbour Aid has a protection officer to watch over sensitive cases.
                "sensitive": agency == "ha"
                and programme in ("gbv", "counter_trafficking")
                and rng.random() < 0.5,
                "summary": rng.choice(SUMMARIES),
                "registered_on": registered,
            },
            other_consents=[
                {"purpose": p, "legal_basis": "consent", "given": rng.random() < 0.85}
                for p in ("assistance", "referral", "tracing", "reporting", "follow_up")
            ],
        )
        if case.sensitive:
            # The supervisor who approves must be assigned to see a sensitive case.
            actions.assign(users["protection.a"], case, assignees=[users[supervisors[agency]]])
        if rng.random() < 0.3:
            people_actions.add_contact(
                worker, case.person, kind="phone", value=f"+227 9{rng.randint(1000000, 9999999)}"
            )
        stage = rng.choice(
            ["registered", "assessment", "case_plan", "implementation", "follow_up", "closed"]
        )
        _advance(case, stage, worker, users[supervisors[agency]], rng)
        created.append(case)
    # Leave a closure waiting for a supervisor on the dashboard.
    open_case = next(c for c in created if c.status == "follow_up" and c.agency.code == "ha")
    if not Approval.objects.filter(case=open_case, decision="pending").exists():
        approval_actions.request_closure(open_case.owner, open_case, "goals_met")
    return created


def _advance(case, stage, worker, supervisor, rng):
    from haven.cases import actions, approval_actions
    from haven.cases.models import Approval

    path = ["assessment", "case_plan", "implementation", "follow_up", "closed"]
    if stage == "registered":
        return
    for step in path[: path.index(stage) + 1]:
        if step == "implementation":
            approval_actions.save_plan(
                worker,
                case,
                goals="Safe accommodation; medical care; documents; contact with family.",
                actions=[
                    {
                        "description": "Refer to shelter",
                        "responsible": worker,
                        "due_on": case.registered_on + timedelta(days=20),
                    }
                ],
            )
            approval = Approval.objects.filter(case=case, kind="plan", decision="pending").first()
            if approval:
                approval_actions.decide(supervisor, approval, approve=True, comment="")
        if step == "closed":
            actions.transition(
                supervisor,
                case,
                "closed",
                case.version,
                closure_reason=rng.choice(["goals_met", "referred", "lost_contact"]),
            )
        else:
            actions.transition(worker, case, step, case.version)


def seed_demo(count: int = 300) -> dict:
    load_locations()
    users = create_agencies_and_users()
    from haven.cases.models import Case

    if not Case.objects.exists():
        cases = create_cases(users, count)
        create_referrals(users, cases)
        create_returns(cases)
        create_tracing(cases)
        create_trafficking_profiles(cases)
        from haven.feedback.demo import create_feedback

        create_feedback(users)
    return users


def create_trafficking_profiles(cases, seed: int = 13):
    """What the counter-trafficking cases record of the trafficking (most of them)."""
    from haven.cases import actions
    from haven.cases.models import ControlMeans, LabourExploitation, Recruitment

    rng = random.Random(seed)
    kinds = ["forced_labour", "forced_labour", "sexual", "forced_marriage", "slavery"]
    for case in cases:
        if case.programme != "counter_trafficking" or rng.random() < 0.2:
            continue
        exploitation = sorted(set(rng.sample(kinds, k=rng.randint(1, 2))))
        actions.save_trafficking_profile(
            case.owner,
            case,
            {
                "exploitation": exploitation,
                "means_of_control": rng.sample(ControlMeans.values[:16], k=rng.randint(1, 3)),
                "labour_exploitation": rng.sample(LabourExploitation.values[:11], k=1)
                if "forced_labour" in exploitation
                else [],
                "sex_exploitation": ["prostitution"] if "sexual" in exploitation else [],
                "recruitment": [rng.choice(Recruitment.values[:14])],
                "country_of_exploitation": rng.choice(["LY", "DZ", "NE", "NG", "ML"]),
            },
        )


def create_referrals(users, cases, seed: int = 11):
    """A small service directory and referrals in every state, some of them overdue."""
    from haven.accounts.models import Agency
    from haven.assistance import actions
    from haven.assistance.models import Provider, Referral, ServicePoint, ServiceType
    from haven.people.models import ConsentPurpose
    from haven.people.selectors import has_consent

    rng = random.Random(seed)
    services = {s.code: s for s in ServiceType.objects.all()}
    clinic = ServicePoint.objects.create(
        provider=Provider.objects.create(name="Agadez Health Centre", phone="+227 20 44 00 00"),
        name="Outpatient clinic",
        address="Route de Niamey, Agadez",
        languages=["fra", "hau"],
        opening_hours="Mon–Sat 08:00–17:00",
    )
    clinic.services.add(services["medical"], services["mhpss"])
    bpn = Agency.objects.get(code="bpn")
    shelter = ServicePoint.objects.create(
        provider=Provider.objects.create(name=bpn.name, agency=bpn),
        name="Tripoli shelter",
        capacity=40,
        opening_hours="24/7",
    )
    shelter.services.add(services["shelter"], services["legal_aid"])
    eligible = [
        c
        for c in cases
        if c.agency.code == "ha"
        and c.status in ("implementation", "follow_up")
        and not c.sensitive
        and has_consent(c.person, ConsentPurpose.REFERRAL)
    ]
    answering = users["caseworker.b"]
    for n, case in enumerate(eligible[:12]):
        to_clinic = n % 3 == 0
        referral = actions.refer(
            case.owner,
            case,
            services["medical" if to_clinic else rng.choice(["shelter", "legal_aid"])],
            reason=rng.choice(SUMMARIES),
            fields=["name", "sex", "age", "languages"],
            urgent=n % 5 == 0,
            **({"to_point": clinic} if to_clinic else {"to_agency": bpn}),
        )
        if to_clinic or n % 4 == 1:
            # Left unanswered, as if referred weeks ago: they show as overdue.
            Referral.objects.filter(pk=referral.pk).update(
                due_on=timezone.localdate() - timedelta(days=rng.randint(1, 20))
            )
            continue
        actions.answer(answering, referral, accept=n % 6 != 2, reason="No place", version=1)
        if referral.status == "accepted" and n % 2 == 0:
            actions.progress(answering, referral, status="completed", version=referral.version)


def create_returns(cases):
    """Two returns under way from Niger, one of them with a reintegration plan."""
    from haven.assistance import reintegration_actions, return_actions, returns

    returnees = [
        c
        for c in cases
        if c.agency.code == "ha"
        and c.programme == "return_reintegration"
        and not c.sensitive
        and c.status != "closed"
    ][:2]
    today = timezone.localdate()
    for n, case in enumerate(returnees):
        movement = return_actions.start_return(
            case.owner, case, country_of_departure="NE", country_of_return="ML" if n else "GN"
        )
        for code in returns.ORDER[: 2 + 3 * n]:
            step = returns.BY_CODE[code]
            movement.refresh_from_db()
            return_actions.complete_step(
                case.owner,
                movement,
                code,
                done_on=today,
                checklist={item.code: True for item in step.items},
                details={"decided_on": today} if code == "counselling" else {},
                version=movement.version,
            )
        if n:
            plan = reintegration_actions.create_plan(
                case.owner,
                case,
                kind="individual",
                title="Tailoring business in Kayes",
                started_on=today,
                movement=movement,
            )
            reintegration_actions.add_component(
                case.owner,
                plan,
                dimension="economic",
                description="Sewing machine and three months' rent for a stall",
                version=plan.version,
            )


def create_tracing(cases):
    """A separated child of Harbour Aid looking for a parent that another caseworker
    registered: the request, written in Arabic script, finds the parent's Latin record."""
    from haven.people.models import ConsentPurpose
    from haven.people.selectors import has_consent
    from haven.tracing import actions

    def traceable(case):
        return (
            case.agency.code == "ha"
            and not case.sensitive
            and case.status != "closed"
            and has_consent(case.person, ConsentPurpose.TRACING)
        )

    children = [c for c in cases if traceable(c) and c.person.care_status]
    adults = [c for c in cases if traceable(c) and not c.person.care_status]
    if not children or not adults:
        return None
    child = children[0]
    parent = next((a for a in adults if a.owner_id != child.owner_id), adults[0]).person
    return actions.open_request(
        child.owner,
        child,
        {
            "relationship": "parent",
            "original_script_name": parent.original_script_name,
            "sex": parent.sex,
            "birth_date": parent.birth_date.replace(month=1, day=1) if parent.birth_date else None,
            "birth_date_precision": "year",
            "nationality": (parent.nationalities or [""])[0],
            "last_seen_place": "Agadez bus station",
            "separation_cause": "journey",
            "circumstances": "Separated at night when the trucks left for the border.",
        },
    )
