"""Staff pages of feedback and complaints: the inbox, intake by other channels, and one
submission with its triage, answer and link to casework."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
from haven.accounts.gates import requires
from haven.accounts.models import Office, User
from haven.audit.actions import record_access, record_event
from haven.audit.models import AuditEvent
from haven.cases.models import Case
from haven.core import report_pages
from haven.core.reference import language_name
from haven.core.web import paginate, posted_version, query_without_page, succeeded
from haven.feedback import actions, codes, deadlines, escalation, exports, reports, selectors
from haven.feedback.forms import OpenCaseForm, StaffIntakeForm
from haven.feedback.models import Category, Channel, Priority, Status

# What each move is called on its button (by where it goes, and from where).
MOVE_LABELS = {
    Status.ACKNOWLEDGED: gettext_lazy("Acknowledge"),
    Status.IN_PROGRESS: gettext_lazy("Start dealing with it"),
    Status.CLOSED: gettext_lazy("Close"),
}
EVENT_LABELS = {
    "feedback.submitted": gettext_lazy("Received"),
    "feedback.moved": gettext_lazy("Status changed"),
    "feedback.triaged": gettext_lazy("Priority or focal point changed"),
    "feedback.subject_named": gettext_lazy("Staff member concerned recorded"),
    "feedback.case_linked": gettext_lazy("Linked to a case"),
    "feedback.case_opened": gettext_lazy("Case opened"),
    "feedback.rated": gettext_lazy("Rated by the person"),
    "feedback.escalated": gettext_lazy("Escalated"),
}


def _moves(submission) -> list[tuple[str, str]]:
    moves = []
    for to in sorted(actions.NEXT[submission.status]):
        if to == Status.RESOLVED:
            continue  # the resolution form does that
        reopen = to == Status.IN_PROGRESS and submission.status == Status.RESOLVED
        moves.append((to, _("Reopen") if reopen else MOVE_LABELS[to]))
    return moves


def _history(submission) -> list[dict]:
    events = AuditEvent.objects.filter(object_type="submission", object_id=str(submission.pk))
    rows = []
    for event in events.order_by("-seq")[:100]:
        details = event.details
        change = ""
        if "to" in details:
            change = f"{Status(details['from']).label} → {Status(details['to']).label}"
        elif "level" in details:
            change = str(details["level"])
        rows.append(
            {
                "at": event.created_at,
                "what": EVENT_LABELS.get(event.action, event.action),
                "change": change,
                "who": event.actor_username,
            }
        )
    return rows


def handlers_only(view):
    """Signed in with a feedback-handling permission (403 otherwise); which submissions the
    user may handle is then the selectors' business (404 out of scope)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.handles_feedback(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_safe
@handlers_only
def inbox(request):
    user = request.user
    found = selectors.visible(user)
    filters = {
        name: request.GET.get(name, "")
        for name in ("status", "category", "channel", "priority", "overdue", "mine")
    }
    for name in ("status", "category", "channel", "priority"):
        if filters[name]:
            found = found.filter(**{name: filters[name]})
    now = timezone.now()
    if filters["overdue"]:
        found = found.filter(selectors.overdue_q(now))
    if filters["mine"]:
        found = found.filter(assigned_to=user)
    page = paginate(request, found.order_by("-received_at"))
    for submission in page:
        submission.overdue = escalation.is_overdue(submission, now)
    return render(
        request,
        "feedback/inbox.html",
        {
            "page": page,
            "filters": filters,
            "querystring": query_without_page(request),
            "statuses": Status.choices,
            "categories": Category.choices,
            "channels": Channel.choices,
            "priorities": Priority.choices,
            "can_record": policy.has_perm(user, "feedback.record"),
        },
    )


@requires("feedback.record")
def record(request):
    user = request.user
    offices = Office.objects.filter(agency_id=user.agency_id)
    form = StaffIntakeForm(request.POST or None, offices=offices)
    saved = {}

    def save():
        data = form.cleaned_data
        saved["submission"], saved["code"] = actions.record(
            user,
            channel=data["channel"],
            category=data["category"],
            priority=data["priority"],
            office=data["office"],
            text=data["text"],
            place=data["place"],
            contact_name=data["contact_name"],
            contact=data["contact"],
            consent_to_contact=data["consent_to_contact"],
        )

    if request.method == "POST" and form.is_valid() and succeeded(request, form, save):
        # The code is shown once, to read out or hand to the person; it is not stored.
        return render(
            request,
            "feedback/recorded.html",
            {
                "code": codes.display(saved["code"]),
                "submission": saved["submission"],
                "can_open": policy.can_see_submission(user, saved["submission"]),
            },
        )
    return render(request, "feedback/record.html", {"form": form})


@require_safe
@handlers_only
def detail(request, pk):
    user = request.user
    submission = selectors.get_submission(user, pk)
    record_access(user, "feedback.detail", submission)
    linked = None
    if submission.case_id:
        linked = Case.objects.filter(policy.case_q(user), pk=submission.case_id).first()
    return render(
        request,
        "feedback/detail.html",
        {
            "submission": submission,
            "overdue": escalation.is_overdue(submission, timezone.now()),
            "moves": _moves(submission),
            "language": language_name(submission.language) if submission.language else "",
            "priorities": Priority.choices,
            "colleagues": selectors.handlers(submission),
            "staff": User.objects.filter(agency_id=submission.agency_id, is_active=True)
            if submission.is_misconduct
            else [],
            "linked_case": linked,
            "can_link": policy.has_perm(user, "case.update"),
            "can_record_incident": submission.category == Category.RIGHTS_VIOLATION
            and policy.has_perm(user, "incident.record"),
            "open_case_form": OpenCaseForm(prefix="oc")
            if policy.has_perm(user, "case.create") and not submission.case_id
            else None,
            "history": _history(submission),
        },
    )


def _back(submission):
    return redirect(reverse("feedback_detail", kwargs={"pk": submission.pk}))


def submission_action(message):
    """A POST on one submission the user handles: run the action with the posted form and
    the version the form was built from, say how it went, and go back to the submission."""

    def decorate(run):
        @require_POST
        @handlers_only
        @wraps(run)
        def view(request, pk):
            submission = selectors.get_submission(request.user, pk)
            post = request.POST
            succeeded(
                request,
                None,
                lambda: run(request.user, submission, post, posted_version(post)),
                message,
            )
            return _back(submission)

        return view

    return decorate


def _user_of_agency(submission, ident: str):
    if not ident.isdigit():
        return None
    return User.objects.filter(pk=int(ident), agency_id=submission.agency_id).first()


@submission_action(gettext_lazy("Submission updated."))
def move(user, submission, post, version):
    return actions.move(user, submission, post.get("to", ""), version)


@submission_action(
    gettext_lazy("Resolved: the person can read the answer with their tracking code.")
)
def resolve(user, submission, post, version):
    return actions.resolve(
        user,
        submission,
        resolution=post.get("resolution", ""),
        answer=post.get("answer", ""),
        version=version,
    )


@submission_action(gettext_lazy("Submission updated."))
def triage(user, submission, post, version):
    return actions.triage(
        user,
        submission,
        priority=post.get("priority", ""),
        assignee=_user_of_agency(submission, post.get("assignee", "")),
        version=version,
    )


@submission_action(
    gettext_lazy("Staff member concerned recorded: they will not see this allegation.")
)
def subject(user, submission, post, version):
    return actions.name_subject(
        user, submission, _user_of_agency(submission, post.get("subject", "")), version
    )


@require_POST
@handlers_only
def link_case(request, pk):
    submission = selectors.get_submission(request.user, pk)
    number = request.POST.get("number", "").strip()
    case = Case.objects.filter(
        policy.case_q(request.user), agency_id=submission.agency_id, number=number
    ).first()
    if case is None:
        messages.error(request, _("No case you work on has the number %(n)s.") % {"n": number})
        return _back(submission)
    succeeded(
        request,
        None,
        lambda: actions.link_case(request.user, submission, case, posted_version(request.POST)),
        _("Linked to case %(n)s.") % {"n": case.number},
    )
    return _back(submission)


@require_POST
@handlers_only
def open_case(request, pk):
    submission = selectors.get_submission(request.user, pk)
    form = OpenCaseForm(request.POST, prefix="oc")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(submission)
    data = form.cleaned_data
    opened = {}

    def open_it():
        opened["case"] = actions.open_case(
            request.user,
            submission,
            person={
                "given_name": data["given_name"],
                "family_name": data["family_name"],
                "sex": data["sex"],
            },
            case={
                "programme": data["programme"],
                "vulnerabilities": data["vulnerabilities"],
                "risk_level": data["risk_level"],
            },
            consent_given=data["consent_given"],
            version=posted_version(request.POST),
        )

    if succeeded(request, None, open_it):
        case = opened["case"]
        messages.success(request, _("Case %(n)s opened and linked.") % {"n": case.number})
        return redirect(reverse("case_detail", kwargs={"pk": case.pk}))
    return _back(submission)


@requires("agency.manage")
def deadlines_manage(request, pk):
    """Administration: the agency's deadlines per category."""
    from haven.accounts.models import Agency

    agency = Agency.objects.filter(pk=pk).first()
    if agency is None or not policy.may_manage_agency(request.user, agency.pk):
        raise Http404("No such agency")
    rows = [
        {"code": code, "label": label, "window": deadlines.windows(code, agency.pk)}
        for code, label in Category.choices
    ]
    if request.method == "POST":
        windows, bad = {}, False
        for row in rows:
            hours = request.POST.get(f"{row['code']}-hours", "")
            days = request.POST.get(f"{row['code']}-days", "")
            if hours.isdigit() and days.isdigit():
                windows[row["code"]] = (int(hours), int(days))
                row["window"] = windows[row["code"]]
            else:
                bad = True
        if bad:
            messages.error(request, _("Give whole numbers of hours and days for every category."))
        elif succeeded(
            request,
            None,
            lambda: actions.set_deadlines(request.user, agency, windows),
            _("Deadlines saved. They apply to submissions received from now on."),
        ):
            return redirect(reverse("feedback_deadlines", kwargs={"pk": agency.pk}))
    return render(request, "feedback/deadlines.html", {"agency": agency, "rows": rows})


@require_safe
@requires("report.view")
def report(request):
    """Volumes, timeliness and satisfaction; misconduct as protected counts only."""
    return report_pages.period_report_page(
        request,
        reports.feedback_report,
        name="feedback-report",
        title=_("Feedback and complaints"),
        template="feedback/report.html",
    )


@require_safe
@requires("report.view")
def report_export(request):
    found, period, problems = report_pages.period_report(request, reports.feedback_report)
    for problem in problems:
        messages.error(request, problem)
    record_event(request.user, "feedback.report_export", agency_id=request.user.agency_id)
    response = HttpResponse(exports.report_csv(found, period), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="feedback-report.csv"'
    return response
