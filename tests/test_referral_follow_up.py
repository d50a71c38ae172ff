"""Following referrals up: due dates per service type (urgent ones sooner), reminders to the
people concerned, overdue lists, and the printable form for providers outside Haven."""

import io
import itertools
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from haven.assistance import actions, printing, sla
from haven.assistance.models import Provider, ReferralReminder, ServicePoint, ServiceType
from haven.audit.models import AuditEvent
from haven.core.errors import MissingConsent, NotAllowed
from tests.conftest import sign_in
from tests.test_assistance import consent, consented_referral

TODAY = date(2026, 3, 10)


# --- the rules, on their own ------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_days", "urgent_days", "urgent", "expected"),
    [
        (14, 2, False, date(2026, 3, 24)),
        (14, 2, True, date(2026, 3, 12)),
        # An urgent delay longer than the usual one never makes a referral due later.
        (3, 7, True, date(2026, 3, 13)),
    ],
)
def test_due_date_per_service_type_and_urgency(due_days, urgent_days, urgent, expected):
    assert sla.due_date(TODAY, due_days, urgent_days, urgent) == expected


def test_days_overdue_counts_open_referrals_only():
    due = date(2026, 3, 1)
    assert sla.days_overdue("accepted", due, TODAY) == 9
    assert sla.days_overdue("pending", due, due) == 0
    assert sla.days_overdue("completed", due, TODAY) == 0
    assert sla.days_overdue("declined", due, TODAY) == 0


def test_reminders_due_soon_once_then_overdue_weekly():
    due = date(2026, 3, 12)
    sent: dict[str, date] = {}
    timeline = {}
    for offset in range(-5, 20):
        today = due + timedelta(days=offset)
        kind = sla.reminder_owed("pending", due, today, sent)
        if kind:
            sent[kind] = today
            timeline[offset] = kind
    assert timeline == {-2: "due_soon", 1: "overdue", 8: "overdue", 15: "overdue"}
    assert sla.reminder_owed("completed", due, due + timedelta(days=30), {}) is None


@given(
    due_offset=st.integers(min_value=-30, max_value=30),
    days=st.integers(min_value=1, max_value=60),
    status=st.sampled_from(["pending", "accepted", "in_progress", "declined", "completed"]),
)
def test_reminders_never_repeat_within_a_week(due_offset, days, status):
    due = TODAY + timedelta(days=due_offset)
    sent: dict[str, date] = {}
    days_sent = []
    for step in range(days):
        today = TODAY + timedelta(days=step)
        kind = sla.reminder_owed(status, due, today, sent)
        if kind:
            sent[kind] = today
            days_sent.append((kind, today))
    if status in ("declined", "completed"):
        assert days_sent == []
    assert sum(1 for kind, _day in days_sent if kind == "due_soon") <= 1
    overdue = [day for kind, day in days_sent if kind == "overdue"]
    assert all(day > due for day in overdue)
    assert all((b - a).days >= sla.OVERDUE_REPEAT_DAYS for a, b in itertools.pairwise(overdue))


# --- the referral itself --------------------------------------------------------------------


@pytest.fixture
def referred(world, register):
    """A case of agency A referred to agency B for shelter, with the person's consent."""
    for persona in ("caseworker", "other_agency", "other_supervisor", "supervisor"):
        world[persona].email = f"{world[persona].username}@example.org"
        world[persona].save()
    return consented_referral(
        world,
        register,
        reason="Advice on asylum claim",
        fields=["name", "languages"],
    )


def test_urgent_referrals_take_the_service_types_urgent_delay(world, register):
    case = register(world["caseworker"])
    consent(world["caseworker"], case)
    shelter = ServiceType.objects.get(code="shelter")
    assert (shelter.due_days, shelter.urgent_due_days) == (3, 1)
    referral = actions.refer(
        world["caseworker"],
        case,
        shelter,
        reason="Tonight",
        fields=[],
        to_agency=world["b"],
        urgent=True,
    )
    assert referral.due_on == timezone.localdate() + timedelta(days=1)


def test_reminders_reach_the_receiving_triage_then_the_referrer_and_say_nothing_personal(
    world, referred, django_capture_on_commit_callbacks
):
    _case, referral = referred
    soon = referral.due_on - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.send_reminders(soon)
    assert [(r.referral_id, r.kind, r.recipients) for r in sent] == [(referral.pk, "due_soon", 1)]
    # Pending and unanswered: agency B's supervisor, who triages the inbox; not A's staff.
    assert [m.to for m in mail.outbox] == [["erin@example.org"]]
    message = mail.outbox[0]
    assert f"referral {referral.pk} is due soon" in message.subject
    assert f"/referrals/{referral.pk}/" in message.body
    for personal in ("Amal", "Haddad", "asylum", "Arabic"):
        assert personal not in message.body + message.subject

    # The same day again: nothing owed, nothing sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.send_reminders(soon) == []
    assert len(mail.outbox) == 1

    # Accepted by Eve, then overdue: Eve (who answered) and Alice (who referred) hear of it.
    actions.answer(world["other_agency"], referral, accept=True, version=referral.version)
    late = referral.due_on + timedelta(days=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.send_reminders(late)
    assert [r.kind for r in sent] == ["overdue"]
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.org", "eve@example.org"]
    event = AuditEvent.objects.filter(action="referral.reminder").latest("id")
    assert event.details == {"kind": "overdue", "due_on": referral.due_on.isoformat(), "mailed": 2}

    # A week later it is repeated; once completed, never again.
    with django_capture_on_commit_callbacks(execute=True):
        assert [r.kind for r in actions.send_reminders(late + timedelta(days=7))] == ["overdue"]
    referral.refresh_from_db()
    actions.progress(world["other_agency"], referral, status="completed", version=referral.version)
    assert actions.send_reminders(late + timedelta(days=14)) == []
    assert ReferralReminder.objects.filter(referral=referral).count() == 3


def test_a_referral_to_a_provider_outside_haven_reminds_the_referrer(world, register):
    case = register(world["caseworker"])
    consent(world["caseworker"], case)
    shelter = ServiceType.objects.get(code="shelter")
    point = ServicePoint.objects.create(provider=Provider.objects.create(name="Outside"), name="P")
    point.services.add(shelter)
    referral = actions.refer(
        world["caseworker"], case, shelter, reason="Bed", fields=[], to_point=point
    )
    [reminder] = actions.send_reminders(referral.due_on)
    assert reminder.kind == "due_soon"
    from haven.assistance.selectors import people_to_remind

    assert people_to_remind(referral, "due_soon") == [world["caseworker"]]


def test_a_mail_server_that_fails_loses_no_reminder_record(
    world, referred, settings, django_capture_on_commit_callbacks, caplog
):
    _case, referral = referred
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.send_reminders(referral.due_on + timedelta(days=1))
    assert len(sent) == 1 and ReferralReminder.objects.filter(referral=referral).exists()
    assert f"Could not mail a reminder about referral {referral.pk}" in caplog.text


def test_the_remind_command(world, referred):
    _case, referral = referred
    out = io.StringIO()
    call_command("remind", "--date", (referral.due_on + timedelta(days=3)).isoformat(), stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) sent."
    with pytest.raises(CommandError, match="write it as YYYY-MM-DD"):
        call_command("remind", "--date", "10/03/2026")
    with pytest.raises(CommandError, match="at least 60 seconds"):
        call_command("remind", "--every", "5")


def test_the_reminder_task_is_scheduled(settings):
    from haven.assistance import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["referral-reminders"]
    assert entry["task"] == tasks.send_referral_reminders.name


# --- overdue lists ---------------------------------------------------------------------


def _make_overdue(referral, days=3):
    from haven.assistance.models import Referral

    Referral.objects.filter(pk=referral.pk).update(
        due_on=timezone.localdate() - timedelta(days=days)
    )


def test_overdue_lists_for_both_sides_on_the_web_and_the_dashboard(world, referred):
    case, referral = referred
    _make_overdue(referral)
    alice, eve = Client(), Client()
    sign_in(alice, world["caseworker"])
    sign_in(eve, world["other_agency"])

    sent = alice.get("/referrals/sent/?overdue=1", HTTP_HOST="localhost").content.decode()
    assert case.number in sent and "3 days overdue" in sent
    received = eve.get("/referrals/?overdue=1", HTTP_HOST="localhost").content.decode()
    assert "Legal aid" in received and "3 days overdue" in received
    assert case.number not in received  # the receiving side never sees the case

    dashboard = eve.get("/", HTTP_HOST="localhost").content.decode()
    assert 'href="/referrals/?overdue=1"' in dashboard
    assert "Referrals received, overdue" in dashboard

    referral.refresh_from_db()
    actions.answer(world["other_agency"], referral, accept=False, reason="Full", version=1)
    empty = alice.get("/referrals/sent/?overdue=1", HTTP_HOST="localhost").content.decode()
    assert "No overdue referrals." in empty


def test_overdue_referrals_through_the_api(world, referred, api):
    _case, referral = referred
    assert api("caseworker").get("/api/v1/referrals/?overdue=true").json()["count"] == 0
    _make_overdue(referral, days=5)
    mine = api("caseworker").get("/api/v1/referrals/?overdue=true").json()
    assert [(r["id"], r["days_overdue"]) for r in mine["results"]] == [(referral.pk, 5)]
    theirs = api("other_agency").get("/api/v1/referrals/?box=received&overdue=true").json()
    assert [r["id"] for r in theirs["results"]] == [referral.pk]
    assert "case" not in theirs["results"][0]


# --- the printable form ----------------------------------------------------------------


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_form_holds_the_need_and_the_shared_fields_only(world, referred):
    case, referral = referred
    alice = Client()
    sign_in(alice, world["caseworker"])
    response = alice.get(f"/referrals/{referral.pk}/form.pdf", HTTP_HOST="localhost")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Referral form" in text and "Advice on asylum claim" in text
    assert "Amal Haddad" in text and "Agency B" in text
    # Shared: name and languages. Not shared: date of birth, nationality, the case number.
    for unshared in ("1994", "Syria", case.number):
        assert unshared not in text
    event = AuditEvent.objects.get(action="referral.print")
    assert event.details == {"fields": ["name", "languages"]} and event.actor == world["caseworker"]


def test_the_form_follows_the_language_and_is_right_to_left_in_arabic(world, referred):
    _case, referral = referred
    with translation.override("ar"):
        html = printing.referral_form_html(referral, world["caseworker"])
        pdf = actions.print_form(world["caseworker"], referral)
    assert 'dir="rtl"' in html and 'lang="ar"' in html and "نموذج الإحالة" in html
    assert pdf.startswith(b"%PDF") and "Referral form" not in _text(pdf)


def test_the_form_is_for_the_referring_side_and_needs_consent_in_force(world, referred, api):
    case, referral = referred
    with pytest.raises(NotAllowed):
        actions.print_form(world["other_agency"], referral)
    assert api("other_agency").get(f"/api/v1/referrals/{referral.pk}/form/").status_code == 403
    consent(world["caseworker"], case, given=False)
    with pytest.raises(MissingConsent, match="withdrawn their consent"):
        actions.print_form(world["caseworker"], referral)
    refused = api("caseworker").get(f"/api/v1/referrals/{referral.pk}/form/")
    assert refused.status_code == 400 and "withdrawn their consent" in str(refused.json())
    assert not AuditEvent.objects.filter(action="referral.print").exists()


def test_printing_asks_for_the_password_again_after_a_while(world, referred, settings):
    _case, referral = referred
    settings.HAVEN_REAUTH_MINUTES = 0
    alice = Client()
    sign_in(alice, world["caseworker"])
    response = alice.get(f"/referrals/{referral.pk}/form.pdf", HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"].startswith("/account/confirm/")
