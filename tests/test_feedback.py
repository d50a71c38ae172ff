"""Feedback and complaints: intake, who sees what, the workflow, escalation and audit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from haven.accounts import held, policy
from haven.audit.models import AuditEvent
from haven.core.errors import InvalidTransition, NotAllowed, StaleEdit
from haven.feedback import actions, codes, selectors
from haven.feedback.models import Submission
from tests.conftest import make_user, sign_in


@pytest.fixture
def fw(world):
    """The world plus a feedback focal point and two PSEA focal points of agency A."""
    a, a1 = world["a"], world["a1"]
    for persona, username in [("supervisor", "carol"), ("caseworker", "alice")]:
        world[persona].email = f"{username}@a.example"
        world[persona].save()
    return {
        **world,
        "focal": _with_email(world["feedback_focal"], "f@a.example"),
        "psea": _with_email(world["psea"], "p@a.example"),
        "psea2": make_user("paul", a, a1, "psea_focal_point", "agency", email="q@a.example"),
        "focal_b": make_user("boris", world["b"], world["b1"], "feedback_focal_point", "agency"),
    }


def _with_email(user, email):
    user.email = email
    user.save()
    return user


def public(agency, category="service_complaint", text="The water point is broken", **kw):
    return actions.submit_public(agency, category=category, text=text, **kw)


def test_a_public_submission_is_stored_with_a_digest_of_its_code(fw):
    submission, code = public(fw["a"], contact="+216 555 0101", consent_to_contact=True)
    stored = Submission.objects.get()
    assert stored.tracking_digest == codes.digest(code)
    assert stored.channel == "web" and stored.status == "received"
    assert stored.contact == "+216 555 0101"
    assert selectors.by_code(codes.display(code)).pk == submission.pk
    assert selectors.by_code(codes.new_code()) is None
    # The code itself is nowhere in the row.
    row = Submission.objects.filter(pk=stored.pk).values().get()
    assert not any(code in str(value) for value in row.values())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"place": "p" * 301}, "place"),
        ({"consent_to_contact": True}, "contact"),
        ({"contact": "+216 555 0101"}, "consent_to_contact"),
    ],
)
def test_bad_intake_is_refused_with_the_field_to_fix(fw, kwargs, field):
    with pytest.raises(ValidationError) as refused:
        public(fw["a"], **kwargs)
    assert field in refused.value.message_dict
    assert not Submission.objects.exists()


def test_staff_record_other_channels_but_not_the_web_one(fw):
    submission, code = actions.record(
        fw["caseworker"], channel="hotline", category="information", text="Where is the clinic?"
    )
    assert submission.recorded_by == fw["caseworker"] and submission.channel == "hotline"
    with pytest.raises(ValidationError):
        actions.record(fw["caseworker"], channel="web", category="feedback", text="x")
    with pytest.raises(NotAllowed):
        actions.record(fw["analyst"], channel="hotline", category="feedback", text="x")


# ---- who sees what -----------------------------------------------------------------------

ALL = [
    "caseworker",
    "caseworker2",
    "supervisor",
    "protection",
    "analyst",
    "dpo",
    "agency_admin",
    "system_admin",
    "other_agency",
    "other_supervisor",
    "focal",
    "psea",
    "psea2",
    "focal_b",
]


def _who_sees(fw, submission):
    return sorted(p for p in ALL if policy.can_see_submission(fw[p], submission))


def test_a_complaint_is_seen_by_the_feedback_focal_point_only(fw):
    complaint, _code = public(fw["a"])
    assert _who_sees(fw, complaint) == ["focal"]


def test_a_misconduct_allegation_is_seen_by_the_psea_focal_points_only(fw):
    allegation, _code = public(fw["a"], category="misconduct", text="A driver asked for sex")
    assert _who_sees(fw, allegation) == ["psea", "psea2"]


def test_the_staff_member_named_never_sees_the_allegation(fw):
    allegation, _code = public(fw["a"], category="misconduct", text="Paul took money")
    actions.name_subject(fw["psea"], allegation, fw["psea2"], version=1)
    assert _who_sees(fw, allegation) == ["psea"]
    assert not selectors.visible(fw["psea2"]).exists()
    client = sign_in(Client(), fw["psea2"])
    assert client.get(f"/feedback/{allegation.pk}/", HTTP_HOST="localhost").status_code == 404


def test_a_focal_point_cannot_name_themselves(fw):
    allegation, _code = public(fw["a"], category="misconduct", text="x")
    with pytest.raises(ValidationError):
        actions.name_subject(fw["psea"], allegation, fw["psea"], version=1)


def test_overseers_see_general_escalations_never_misconduct(fw):
    complaint, _ = public(fw["a"])
    allegation, _ = public(fw["a"], category="misconduct", text="x")
    Submission.objects.update(escalation_level=2)
    complaint.refresh_from_db()
    allegation.refresh_from_db()
    assert _who_sees(fw, complaint) == ["focal", "supervisor"]
    assert _who_sees(fw, allegation) == ["psea", "psea2"]


def test_misconduct_is_not_in_general_lists(fw):
    public(fw["a"], text="general complaint")
    allegation, _ = public(fw["a"], category="misconduct", text="x")
    client = sign_in(Client(), fw["focal"])
    page = client.get("/feedback/inbox/", HTTP_HOST="localhost").content.decode()
    assert f"#{allegation.pk}<" not in page and "Complaint about a service" in page
    assert client.get(f"/feedback/{allegation.pk}/", HTTP_HOST="localhost").status_code == 404


# ---- the workflow ----------------------------------------------------------------------


def test_workflow_acknowledge_start_resolve_close(fw):
    s, code = public(fw["a"])
    focal = fw["focal"]
    actions.move(focal, s, "acknowledged", version=1)
    assert s.acknowledged_at is not None
    actions.move(focal, s, "in_progress", version=2)
    actions.resolve(focal, s, resolution="Fixed the pump", answer="It is repaired.", version=3)
    assert s.status == "resolved" and s.resolved_at is not None
    actions.move(focal, s, "closed", version=4)
    with pytest.raises(InvalidTransition) as refused:
        actions.move(focal, s, "in_progress", version=5)
    assert "none" in refused.value.message
    actions.rate(selectors.by_code(code), 4)
    assert Submission.objects.get().satisfaction == 4
    with pytest.raises(ValidationError):
        actions.rate(selectors.by_code(code), 5)


def test_an_impossible_move_names_the_possible_ones(fw):
    s, _ = public(fw["a"])
    with pytest.raises(InvalidTransition) as refused:
        actions.move(fw["focal"], s, "closed", version=1)
    assert "Acknowledged" in refused.value.message


def test_a_stale_edit_changes_nothing(fw):
    s, _ = public(fw["a"])
    actions.move(fw["focal"], Submission.objects.get(), "acknowledged", version=1)
    with pytest.raises(StaleEdit):
        actions.triage(fw["focal"], s, priority="urgent", assignee=None, version=1)
    assert Submission.objects.get().priority == "normal"


def test_resolving_needs_an_answer_for_the_person(fw):
    s, _ = public(fw["a"])
    with pytest.raises(ValidationError) as refused:
        actions.resolve(fw["focal"], s, resolution="done", answer=" ", version=1)
    assert "answer" in refused.value.message_dict


def test_rating_waits_for_the_answer(fw):
    s, _ = public(fw["a"])
    with pytest.raises(ValidationError):
        actions.rate(s, 3)


def test_a_higher_priority_brings_the_deadlines_closer(fw):
    s, _ = public(fw["a"])
    before = s.acknowledge_due_at
    actions.triage(fw["focal"], s, priority="urgent", assignee=fw["focal"], version=1)
    assert s.acknowledge_due_at - s.received_at == (before - s.received_at) / 4
    assert s.assigned_to == fw["focal"]


def test_only_someone_who_may_handle_it_can_be_assigned(fw):
    s, _ = public(fw["a"])
    with pytest.raises(ValidationError):
        actions.triage(fw["focal"], s, priority="normal", assignee=fw["psea"], version=1)


def test_people_who_may_not_see_it_cannot_handle_it(fw):
    s, _ = public(fw["a"])
    with pytest.raises(NotAllowed):
        actions.move(fw["psea"], s, "acknowledged", version=1)


# ---- escalation, with a controllable clock ----------------------------------------------


def test_escalation_raises_levels_once_and_tells_the_right_people(
    fw, mailoutbox, django_capture_on_commit_callbacks
):
    def escalate(at):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.escalate_overdue(at)

    t0 = timezone.now()
    allegation, _ = public(fw["a"], category="misconduct", text="x", now=t0)
    complaint, _ = public(fw["a"], now=t0)
    assert escalate(t0 + timedelta(hours=23)) == []
    raised = escalate(t0 + timedelta(hours=24))
    assert [s.pk for s in raised] == [allegation.pk]
    assert sorted(m.to[0] for m in mailoutbox) == ["p@a.example", "q@a.example"]
    assert escalate(t0 + timedelta(hours=25)) == []  # once per level
    mailoutbox.clear()
    # 72 h: the complaint's acknowledgement is late (level 1), the allegation reaches 2.
    raised = escalate(t0 + timedelta(hours=72))
    levels = {s.pk: s.escalation_level for s in raised}
    assert levels == {allegation.pk: 2, complaint.pk: 1}
    # Supervisors oversee general complaints only; no mail about an allegation reaches them.
    assert "carol@a.example" not in [m.to[0] for m in mailoutbox]
    mailoutbox.clear()
    escalate(t0 + timedelta(hours=120))
    assert Submission.objects.get(pk=complaint.pk).escalation_level == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@a.example", "f@a.example"]
    for message in mailoutbox:
        assert "The water point" not in message.body


def test_an_answered_submission_does_not_escalate(fw):
    t0 = timezone.now()
    s, _ = public(fw["a"], now=t0)
    actions.resolve(fw["focal"], s, resolution="", answer="Done", version=1, now=t0)
    assert actions.escalate_overdue(t0 + timedelta(days=90)) == []


def test_the_agency_sets_its_own_deadlines(fw):
    from haven.feedback.models import DeadlineSetting

    DeadlineSetting.objects.create(
        agency=fw["a"], category="feedback", acknowledge_hours=2, resolve_days=3
    )
    s, _ = public(fw["a"], category="feedback", text="Thanks for the blankets")
    assert s.acknowledge_due_at - s.received_at == timedelta(hours=2)
    other, _ = public(fw["b"], category="feedback", text="Thanks")
    assert other.acknowledge_due_at - other.received_at == timedelta(hours=168)


def test_new_submissions_notify_the_focal_points_without_personal_data(
    fw, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        public(fw["a"], text="Ahmed at the gate was rude", contact_name="Salma")
    assert [m.to[0] for m in mailoutbox] == ["f@a.example"]
    assert "Ahmed" not in mailoutbox[0].body and "Salma" not in mailoutbox[0].body


# ---- audit -----------------------------------------------------------------------------


def test_audit_of_an_allegation_names_neither_category_nor_staff_member(fw):
    allegation, _ = public(fw["a"], category="misconduct", text="x")
    actions.name_subject(fw["psea"], allegation, fw["agency_admin"], version=1)
    events = AuditEvent.objects.filter(object_type="submission")
    assert [e.action for e in events.order_by("seq")] == [
        "feedback.submitted",
        "feedback.subject_named",
    ]
    for event in events:
        assert "misconduct" not in str(event.details)
        assert str(fw["agency_admin"].pk) not in str(event.details)
        assert event.ip == ""


def test_viewing_a_submission_is_access_logged(fw):
    from haven.audit.models import AccessLog

    s, _ = public(fw["a"])
    client = sign_in(Client(), fw["focal"])
    page = client.get(f"/feedback/{s.pk}/", HTTP_HOST="localhost")
    assert page.status_code == 200
    log = AccessLog.objects.get()
    assert (log.actor, log.view, log.object_id) == (fw["focal"], "feedback.detail", str(s.pk))


def test_markup_is_stored_as_text_and_shown_escaped(fw):
    s, _ = public(fw["a"], text='<script>alert("x")</script> <b>bold</b>')
    assert Submission.objects.get().text.startswith("<script>")
    page = sign_in(Client(), fw["focal"]).get(f"/feedback/{s.pk}/", HTTP_HOST="localhost")
    html = page.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


# ---- link to casework ------------------------------------------------------------------


def test_a_submission_is_linked_to_a_case_the_user_works_on(fw, register):
    from haven.accounts.models import Role, RoleGrant

    case = register(fw["caseworker"])
    s, _ = public(fw["a"], category="information", text="I need a lawyer")
    handler = fw["caseworker"]
    RoleGrant.objects.create(
        user=handler, role=Role.objects.get(code="feedback_focal_point"), scope="agency"
    )

    held.forget(handler)
    actions.link_case(handler, s, case, version=1)
    assert Submission.objects.get().case == case
    other_case = register(fw["caseworker2"])
    with pytest.raises(NotAllowed):
        actions.link_case(fw["focal"], Submission.objects.get(), other_case, version=2)


def test_a_case_is_opened_from_a_submission_with_consent(fw):
    from haven.accounts.models import Role, RoleGrant
    from tests.conftest import CASE, PERSON

    handler = fw["protection"]
    RoleGrant.objects.create(
        user=handler, role=Role.objects.get(code="feedback_focal_point"), scope="agency"
    )
    held.forget(handler)
    s, _ = public(fw["a"], category="information", text="I need shelter tonight")
    case = actions.open_case(handler, s, person=PERSON, case=CASE, version=1)
    assert Submission.objects.get().case == case and case.owner == handler
    from haven.core.errors import MissingConsent

    s2, _ = public(fw["a"], category="information", text="help")
    with pytest.raises(MissingConsent):
        actions.open_case(handler, s2, person=PERSON, case=CASE, version=1, consent_given=False)
    assert Submission.objects.get(pk=s2.pk).case is None


def test_the_escalate_command_catches_up_and_explains_bad_input(fw):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    t0 = timezone.now()
    public(fw["a"], category="misconduct", text="x", now=t0)
    out = StringIO()
    later = (t0 + timedelta(hours=25)).strftime("%Y-%m-%dT%H:%M")
    call_command("escalate", "--at", later, stdout=out)
    assert "1 submission(s) escalated." in out.getvalue()
    assert Submission.objects.get().escalation_level == 1
    with pytest.raises(CommandError, match="YYYY-MM-DDTHH:MM"):
        call_command("escalate", "--at", "tomorrow")
    with pytest.raises(CommandError, match="at least 60"):
        call_command("escalate", "--every", "5")


def test_a_handler_who_registers_cases_opens_one_from_the_page(fw):
    from haven.accounts.models import Role, RoleGrant

    handler = fw["protection"]
    RoleGrant.objects.create(
        user=handler, role=Role.objects.get(code="feedback_focal_point"), scope="agency"
    )
    held.forget(handler)
    s, _ = public(fw["a"], category="information", text="I need shelter tonight")
    client = sign_in(Client(), handler)
    page = client.get(f"/feedback/{s.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Open a case for this person" in page
    form = {
        "version": "1",
        "oc-given_name": "Hawa",
        "oc-sex": "female",
        "oc-programme": "vulnerable_migrants",
        "oc-vulnerabilities": ["stranded"],
        "oc-risk_level": "high",
    }
    refused = client.post(f"/feedback/{s.pk}/open-case/", form, HTTP_HOST="localhost")
    assert refused.status_code == 302 and Submission.objects.get().case is None
    form["oc-consent_given"] = "on"
    opened = client.post(f"/feedback/{s.pk}/open-case/", form, HTTP_HOST="localhost")
    case = Submission.objects.get().case
    assert opened["Location"] == f"/cases/{case.pk}/" and case.person.given_name == "Hawa"


def test_the_agency_administrator_sets_deadlines_for_new_submissions(fw):
    client = sign_in(Client(), fw["agency_admin"])
    url = f"/manage/agencies/{fw['a'].pk}/feedback-deadlines/"
    page = client.get(url, HTTP_HOST="localhost").content.decode()
    assert 'name="misconduct-hours" value="24"' in page
    form = {f"{c}-hours": "48" for c in ["feedback", "information", "service_complaint"]}
    form.update({f"{c}-days": "10" for c in ["feedback", "information", "service_complaint"]})
    form.update({"misconduct-hours": "12", "misconduct-days": "20"})
    form.update({"rights_violation-hours": "abc", "rights_violation-days": "5"})
    refused = client.post(url, form, HTTP_HOST="localhost")
    assert "whole numbers" in refused.content.decode()
    form["rights_violation-hours"] = "0"
    client.post(url, form, HTTP_HOST="localhost")
    from haven.feedback.models import DeadlineSetting

    assert not DeadlineSetting.objects.exists()  # one bad row: nothing saved
    form["rights_violation-hours"] = "24"
    assert client.post(url, form, HTTP_HOST="localhost").status_code == 302
    s, _ = public(fw["a"], category="misconduct", text="x")
    assert s.acknowledge_due_at - s.received_at == timedelta(hours=12)
    event = AuditEvent.objects.get(action="feedback.deadlines_set")
    assert event.details["misconduct"] == [12, 20]
    other = sign_in(Client(), fw["other_supervisor"])
    assert other.get(url, HTTP_HOST="localhost").status_code == 403
