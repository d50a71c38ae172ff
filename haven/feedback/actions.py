"""Every write to feedback and complaints: intake (public and by staff), triage, answer,
rating, escalation, and the link to casework. Each is atomic and audited.

Audit events name the submission, never its text or contact, and for allegations of
misconduct neither the category nor the staff member concerned: auditors (and an accused
administrator among them) learn from the trail that a submission moved, not what it says.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.accounts.models import User
from haven.audit.actions import audited, record_event
from haven.cases import actions as case_actions
from haven.core.errors import InvalidTransition, NotAllowed
from haven.core.versioning import lock_at_version, save_versioned
from haven.feedback import codes, deadlines, escalation, mail, selectors
from haven.feedback.models import (
    STAFF_CHANNELS,
    Category,
    Channel,
    Priority,
    Status,
    Submission,
)

# Longest texts accepted; the form says so before anything is sent.
MAX_TEXT = 5000
MAX_SHORT = 300

NEXT = {
    Status.RECEIVED: {Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED},
    Status.ACKNOWLEDGED: {Status.IN_PROGRESS, Status.RESOLVED},
    Status.IN_PROGRESS: {Status.RESOLVED},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},
    Status.CLOSED: set(),
}


def _event(actor, action: str, submission: Submission, **details) -> None:
    if not submission.is_misconduct:
        details["category"] = submission.category
    record_event(actor, f"feedback.{action}", obj=submission, details=details)


def _clean_intake(category, text, place, contact_name, contact, consent_to_contact) -> dict:
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Choose what your message is about.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write your message.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _(
            "Your message is %(n)s characters long; the limit is %(max)s. Shorten it, or "
            "send the rest in a second message."
        ) % {"n": len(text), "max": MAX_TEXT}
    values = {
        "place": (place or "").strip(),
        "contact_name": (contact_name or "").strip(),
        "contact": (contact or "").strip(),
    }
    for field, value in values.items():
        if len(value) > MAX_SHORT:
            errors[field] = _("Keep this under %(max)s characters.") % {"max": MAX_SHORT}
    if consent_to_contact and not values["contact"]:
        errors["contact"] = _(
            "Give a phone number or an email address, or untick “You may contact me”."
        )
    if values["contact"] and not consent_to_contact:
        errors["consent_to_contact"] = _(
            "Tick “You may contact me” to let us use your contact details, or leave them out."
        )
    if errors:
        raise ValidationError(errors)
    return {"text": text, **values}


def _new_submission(agency_id, category, channel, priority, now, **fields) -> tuple:
    code = codes.new_code()
    due = deadlines.deadlines(now, priority, deadlines.windows(category, agency_id))
    submission = Submission.objects.create(
        agency_id=agency_id,
        category=category,
        channel=channel,
        priority=priority,
        tracking_digest=codes.digest(code),
        received_at=now,
        acknowledge_due_at=due.acknowledge_by,
        resolve_due_at=due.resolve_by,
        **fields,
    )
    transaction.on_commit(lambda: mail.notify_new(submission, selectors.recipients(submission)))
    return submission, code


@audited
def submit_public(
    agency,
    *,
    category: str,
    text: str,
    place: str = "",
    contact_name: str = "",
    contact: str = "",
    consent_to_contact: bool = False,
    language: str = "",
    intake_token: str | None = None,
    now=None,
) -> tuple[Submission, str]:
    """Store a submission from the public form and return it with its tracking code.

    It returns only once the transaction has committed: the acknowledgement is shown after
    that, never before.
    """
    values = _clean_intake(category, text, place, contact_name, contact, consent_to_contact)
    if not agency.is_active:
        raise ValidationError({"agency": _("Choose an organisation that takes messages.")})
    submission, code = _new_submission(
        agency.pk,
        category,
        Channel.WEB,
        Priority.NORMAL,
        now or timezone.now(),
        consent_to_contact=consent_to_contact,
        language=language[:8],
        intake_token=intake_token,
        **values,
    )
    _event(None, "submitted", submission, channel=Channel.WEB)
    return submission, code


@audited
def record(
    user,
    *,
    channel: str,
    category: str,
    text: str,
    place: str = "",
    contact_name: str = "",
    contact: str = "",
    consent_to_contact: bool = False,
    priority: str = Priority.NORMAL,
    language: str = "",
    office=None,
    now=None,
) -> tuple[Submission, str]:
    """Record a submission received by another channel; the person gets the tracking code."""
    if not policy.has_perm(user, "feedback.record") or user.agency_id is None:
        raise NotAllowed(_("Your role does not allow recording feedback."))
    if channel not in dict(STAFF_CHANNELS):
        raise ValidationError({"channel": _("Choose the channel it came through.")})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    if office is not None and office.agency_id != user.agency_id:
        raise ValidationError({"office": _("Choose an office of your agency.")})
    values = _clean_intake(category, text, place, contact_name, contact, consent_to_contact)
    submission, code = _new_submission(
        user.agency_id,
        category,
        channel,
        priority,
        now or timezone.now(),
        office=office,
        recorded_by=user,
        consent_to_contact=consent_to_contact,
        language=language[:8],
        **values,
    )
    _event(user, "submitted", submission, channel=channel)
    return submission, code


def _handle(user, submission: Submission, version: int) -> None:
    """The user may handle it (else 404-equivalent refusal) and nobody saved since."""
    if not policy.can_see_submission(user, submission):
        raise NotAllowed(_("You cannot handle this submission."))
    lock_at_version(submission, version)


def _save(submission: Submission, fields: list[str]) -> None:
    save_versioned(submission, submission.version, fields)


@audited
def move(user, submission: Submission, to: str, version: int, *, now=None) -> Submission:
    """Move the submission along its workflow (acknowledge, start, close, reopen)."""
    _handle(user, submission, version)
    if to not in NEXT[submission.status]:
        possible = ", ".join(str(Status(s).label) for s in sorted(NEXT[submission.status]))
        raise InvalidTransition(
            _("A submission that is “%(now)s” cannot become “%(to)s”. Possible: %(possible)s.")
            % {
                "now": submission.get_status_display(),
                "to": Status(to).label if to in Status.values else to,
                "possible": possible or _("none"),
            }
        )
    if to == Status.RESOLVED:
        raise ValidationError(_("Resolve it with the resolution form: say what was done."))
    now = now or timezone.now()
    before = submission.status
    submission.status = to
    fields = ["status"]
    if submission.acknowledged_at is None:
        submission.acknowledged_at = now
        fields.append("acknowledged_at")
    if to == Status.CLOSED:
        submission.closed_at = now
        fields.append("closed_at")
    if to == Status.IN_PROGRESS and before == Status.RESOLVED:
        submission.resolved_at = None
        fields.append("resolved_at")
    _save(submission, fields)
    _event(user, "moved", submission, **{"from": before, "to": to})
    return submission


@audited
def resolve(
    user, submission: Submission, *, resolution: str, answer: str, version: int, now=None
) -> Submission:
    """Record what was done and the answer the person reads with their tracking code."""
    _handle(user, submission, version)
    if Status.RESOLVED not in NEXT[submission.status]:
        raise InvalidTransition(_("This submission is already resolved or closed."))
    resolution, answer = resolution.strip(), answer.strip()
    if not answer:
        raise ValidationError({"answer": _("Write the answer the person will read.")})
    if len(answer) > MAX_TEXT or len(resolution) > MAX_TEXT:
        raise ValidationError(_("Keep each text under %(max)s characters.") % {"max": MAX_TEXT})
    now = now or timezone.now()
    before = submission.status
    submission.status = Status.RESOLVED
    submission.resolution, submission.answer, submission.resolved_at = resolution, answer, now
    submission.acknowledged_at = submission.acknowledged_at or now
    _save(submission, ["status", "resolution", "answer", "resolved_at", "acknowledged_at"])
    _event(user, "moved", submission, **{"from": before, "to": Status.RESOLVED})
    return submission


@audited
def triage(
    user, submission: Submission, *, priority: str, assignee: User | None, version: int
) -> Submission:
    """Set the priority (deadlines follow it) and the focal point who handles it."""
    _handle(user, submission, version)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    if assignee is not None and (
        assignee.agency_id != submission.agency_id
        or not policy.can_see_submission(assignee, submission)
    ):
        raise ValidationError(
            {"assignee": _("Choose a focal point of the agency who may handle this submission.")}
        )
    changed = {}
    if priority != submission.priority:
        changed["priority"] = {"from": submission.priority, "to": priority}
        submission.priority = priority
        window = deadlines.windows(submission.category, submission.agency_id)
        due = deadlines.deadlines(submission.received_at, priority, window)
        submission.acknowledge_due_at, submission.resolve_due_at = (
            due.acknowledge_by,
            due.resolve_by,
        )
    new_assignee = assignee.pk if assignee else None
    if new_assignee != submission.assigned_to_id:
        changed["assigned_to"] = new_assignee
        submission.assigned_to = assignee
    if changed:
        _save(submission, ["priority", "acknowledge_due_at", "resolve_due_at", "assigned_to"])
        _event(user, "triaged", submission, **changed)
    return submission


@audited
def name_subject(user, submission: Submission, subject: User | None, version: int) -> Submission:
    """Record which staff member an allegation concerns: from now on they never see it."""
    _handle(user, submission, version)
    if not submission.is_misconduct:
        raise ValidationError(_("Only allegations of misconduct name a staff member."))
    if subject is not None and subject.pk == user.pk:
        raise ValidationError(
            _("You are the staff member concerned: hand this allegation to another focal point.")
        )
    submission.subject = subject
    if subject is not None and submission.assigned_to_id == subject.pk:
        submission.assigned_to = None
    _save(submission, ["subject", "assigned_to"])
    _event(user, "subject_named", submission)  # who, stays out of the trail
    return submission


@audited
def link_case(user, submission: Submission, case, version: int) -> Submission:
    """Link the submission to a case the user may work on."""
    _handle(user, submission, version)
    if case.agency_id != submission.agency_id or not policy.can_case(user, "case.update", case):
        raise NotAllowed(_("You may link only cases of your agency that you work on."))
    submission.case = case
    _save(submission, ["case"])
    _event(user, "case_linked", submission, case=case.pk)
    return submission


@audited
def open_case(user, submission: Submission, *, person: dict, case: dict, version: int, **kw):
    """Open a case for the person who wrote (with their consent, as registration needs) and
    link the submission to it."""
    _handle(user, submission, version)
    if submission.case_id:
        raise ValidationError(_("This submission is already linked to a case."))
    new_case = case_actions.register(user, person=person, case=case, **kw)
    submission.case = new_case
    _save(submission, ["case"])
    _event(user, "case_opened", submission, case=new_case.pk)
    return new_case


@audited
def rate(submission: Submission, satisfaction: int) -> Submission:
    """The person's rating of how their submission was dealt with (once, after the answer)."""
    if submission.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("You can rate the answer once you have received it."))
    if submission.satisfaction is not None:
        raise ValidationError(_("You have already rated this answer. Thank you."))
    if satisfaction not in range(1, 6):
        raise ValidationError(_("Choose from 1 (very unhappy) to 5 (very happy)."))
    submission.satisfaction = satisfaction
    _save(submission, ["satisfaction"])
    _event(None, "rated", submission, satisfaction=satisfaction)
    return submission


def escalation_grace() -> timedelta:
    return timedelta(hours=settings.HAVEN_FEEDBACK_ESCALATE_AFTER_HOURS)


def escalate_overdue(now=None) -> list[Submission]:
    """Raise each overdue submission to the level it is due (periodic job); tell the people
    at that level. Safe to repeat: a level is reached once."""
    now = now or timezone.now()
    grace = escalation_grace()
    open_ones = Submission.objects.filter(escalation_level__lt=2)
    raised = []
    for submission in open_ones.filter(selectors.overdue_q(now)):
        level = escalation.level_due(submission, now, grace)
        if level > submission.escalation_level and _raise(submission, level):
            raised.append(submission)
    return raised


@audited
def _raise(submission: Submission, level: int) -> bool:
    # Only the job raises levels, so a plain conditional update suffices.
    updated = Submission.objects.filter(
        pk=submission.pk, escalation_level__lt=level, status__in=escalation.OPEN
    ).update(escalation_level=level)
    if not updated:
        return False
    submission.escalation_level = level
    _event(None, "escalated", submission, level=level)
    people = selectors.recipients(submission, level)
    transaction.on_commit(lambda: mail.notify_overdue(submission, people))
    return True


@audited
def set_deadlines(user, agency, windows: dict[str, tuple[int, int]]) -> None:
    """Set the agency's own (hours to acknowledge, days to resolve) per category. Applies to
    submissions received from now on; those already in keep the deadlines they were given."""
    from haven.feedback.models import DeadlineSetting

    if not policy.may_manage_agency(user, agency.pk):
        raise NotAllowed(_("You may not manage this agency."))
    errors = {}
    for category, (hours, days) in windows.items():
        if category not in Category.values:
            errors[category] = _("Unknown category.")
        elif not (1 <= hours <= 24 * 90 and 1 <= days <= 365):
            errors[category] = _(
                "Give 1 to 2,160 hours to acknowledge and 1 to 365 days to resolve."
            )
    if errors:
        raise ValidationError(errors)
    changed = {}
    for category, (hours, days) in windows.items():
        current = deadlines.windows(category, agency.pk)
        if current != (hours, days):
            DeadlineSetting.objects.update_or_create(
                agency=agency,
                category=category,
                defaults={"acknowledge_hours": hours, "resolve_days": days},
            )
            changed[category] = [hours, days]
    if changed:
        record_event(user, "feedback.deadlines_set", obj=agency, details=changed)
