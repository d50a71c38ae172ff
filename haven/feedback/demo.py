"""Demo feedback, complaints and incidents: every state, some overdue and escalated, an
allegation against a staff member, answers and ratings. Everything here is invented."""

import random
from datetime import timedelta

from django.utils import timezone

# (category, channel, text, language)
MESSAGES = [
    ("feedback", "web", "Thank you for the blankets and the hot meals last week.", "en"),
    ("feedback", "suggestion_box", "Please open the water point earlier in the morning.", "en"),
    ("information", "web", "Où puis-je faire renouveler mon titre de séjour ?", "fr"),
    ("information", "hotline", "Asks where the clinic for children is and when it opens.", "en"),
    ("information", "web", "¿Hay clases de idioma para adultos en el centro?", "es"),
    ("service_complaint", "web", "رفضت العيادة استقبال ابنتي مرتين هذا الأسبوع.", "ar"),
    ("service_complaint", "community_meeting", "Food rations arrived two days late.", "en"),
    ("service_complaint", "sms", "Shelter toilets broken since Monday.", "en"),
    ("service_complaint", "in_person", "Waited all day at registration and was sent away.", "en"),
    ("rights_violation", "web", "Forty people were pushed back at the border post at night.", "en"),
    ("rights_violation", "hotline", "Reports detention without charge for eleven days.", "en"),
    ("misconduct", "web", "A driver asked a woman for sex in exchange for a place.", "en"),
    ("misconduct", "in_person", "Staff member asked for money to put a name on the list.", "en"),
]

ANSWERS = [
    "Thank you. We have passed this on and will change it from next week.",
    "The office is open Monday to Thursday from 9:00; bring the paper you have.",
    "We spoke with the clinic. You can go on Wednesday morning; ask for the nurse.",
]


def create_feedback(users, seed: int = 5):
    from haven.feedback import actions
    from haven.feedback.models import Submission

    rng = random.Random(seed)
    focal, psea = users["feedback.a"], users["psea.a"]
    agency = focal.agency
    now = timezone.now()
    made = []
    for n, (category, channel, text, language) in enumerate(MESSAGES):
        received = now - timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
        if channel == "web":
            submission, _code = actions.submit_public(
                agency, category=category, text=text, language=language, now=received
            )
        else:
            submission, _code = actions.record(
                users["caseworker.a"],
                channel=channel,
                category=category,
                text=text,
                language=language,
                office=focal.offices.first(),
                now=received,
            )
        made.append(submission)
        handler = psea if submission.is_misconduct else focal
        if n % 3 == 0:
            continue  # left waiting: some of these are overdue
        actions.move(handler, submission, "acknowledged", 1, now=received + timedelta(hours=5))
        if n % 3 == 1:
            actions.resolve(
                handler,
                submission,
                resolution="Checked with the service and followed up.",
                answer=ANSWERS[n % len(ANSWERS)],
                version=2,
                now=received + timedelta(days=3),
            )
            actions.rate(Submission.objects.get(pk=submission.pk), rng.randint(2, 5))
    # The allegation about a staff member: the PSEA focal point names them.
    allegation = next(s for s in made if s.is_misconduct and s.channel == "in_person")
    current = Submission.objects.get(pk=allegation.pk)
    actions.name_subject(psea, current, users["caseworker.a2"], current.version)
    actions.escalate_overdue(now)
    _incidents(users, rng, made)


def _incidents(users, rng, made):
    from haven.core.models import Location
    from haven.feedback import incident_actions

    places = list(Location.objects.filter(level__gte=1)[:6]) or [None]
    kinds = [
        ("pushback", "border_officials"),
        ("arbitrary_detention", "police"),
        ("extortion", "smuggler_or_trafficker"),
        ("violence_by_officials", "military"),
        ("trafficking", "employer"),
        ("denial_of_services", "other"),
    ]
    source = next(s for s in made if s.category == "rights_violation" and s.channel == "web")
    today = timezone.localdate()
    for n in range(24):
        kind, perpetrator = kinds[n % len(kinds)]
        incident_actions.record_incident(
            users["feedback.a"],
            kind=kind,
            perpetrator=perpetrator,
            occurred_on=today - timedelta(days=rng.randint(0, 150)),
            location=places[n % len(places)],
            counts={
                ("male", "18_59"): rng.randint(0, 30),
                ("female", "18_59"): rng.randint(0, 10),
                ("male", "0_17"): rng.randint(0, 6),
                ("female", "0_17"): rng.randint(1, 4),
            },
            source=source if n == 0 else None,
        )
