"""The assessment pages: start one from a case, fill it (draft or submit), see its scores."""

from calendar import monthrange
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
from haven.accounts.gates import requires
from haven.assessments import (
    actions,
    attachment_views,
    attachments,
    rendering,
    reports,
    selectors,
)
from haven.assessments.form_engine import form_engine_page
from haven.assessments.models import AssessmentStatus
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core import table_exports
from haven.core.errors import HavenError
from haven.core.web import succeeded
from haven.scoring import engine, xform


def _url(assessment) -> str:
    return reverse("assessment_detail", kwargs={"pk": assessment.pk})


@require_POST
@requires("assessment.fill")
def assessment_start(request, pk):
    case = case_selectors.get_case(request.user, pk)
    chosen = request.POST.get("definition", "")
    if not chosen.isdigit():
        messages.error(request, _("Choose the form to start."))
        return redirect(reverse("case_detail", kwargs={"pk": case.pk}) + "?tab=assessments")
    definition = selectors.get_definition(request.user, int(chosen))
    started = []
    if succeeded(
        request,
        None,
        lambda: started.append(actions.start(request.user, case, definition)),
    ):
        return redirect(_url(started[0]))
    return redirect(reverse("case_detail", kwargs={"pk": case.pk}) + "?tab=assessments")


def _months_after(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, monthrange(year, month)[1]))


@require_POST
@requires("assessment.fill")
def assessment_schedule(request, pk):
    """Plan rounds of a form: months after a date (e.g. 3, 6, 12 months after return)."""
    case = case_selectors.get_case(request.user, pk)
    back = redirect(reverse("case_detail", kwargs={"pk": case.pk}) + "?tab=assessments")
    chosen = request.POST.get("definition", "")
    try:
        start = date.fromisoformat(request.POST.get("start", ""))
        months = [int(m) for m in request.POST.get("months", "").replace(",", " ").split()]
    except ValueError:
        messages.error(request, _("Give a start date and the months after it, e.g. 3, 6, 12."))
        return back
    if not chosen.isdigit() or not months or any(m < 0 or m > 120 for m in months):
        messages.error(request, _("Give a start date and the months after it, e.g. 3, 6, 12."))
        return back
    definition = selectors.get_definition(request.user, int(chosen))
    dates = [_months_after(start, m) for m in months]
    succeeded(
        request,
        None,
        lambda: actions.schedule(request.user, case, definition, dates),
        _("%(n)s round(s) planned.") % {"n": len(set(dates))},
    )
    return back


@requires("case.view")
@form_engine_page
def assessment_detail(request, pk):
    user = request.user
    assessment = selectors.get_assessment(user, pk)
    form = assessment.definition.parsed()
    can_fill = policy.can_case(user, "assessment.fill", assessment.case)
    record_access(user, "assessment.detail", assessment)
    answers, problems = assessment.answers, {}
    if request.method == "POST" and assessment.status == AssessmentStatus.DRAFT:
        if not can_fill:
            return render(request, "403.html", status=403)
        answers = rendering.answers_from_post(form, request.POST, assessment.answers)
        _add_or_remove_instance(form, answers, request.POST)
        problems = attachment_views.receive_uploads(request, assessment, answers)
        submit = "submit" in request.POST and not problems
        try:
            saved = actions.save(
                user, assessment, answers, int(request.POST.get("version") or 0), submit=submit
            )
        except HavenError as exc:
            messages.error(request, exc.message)
        else:
            if saved.submitted:
                messages.success(request, _("Assessment submitted and scored."))
                return redirect(_url(assessment))
            refused_files = bool(problems)
            for problem in saved.problems:
                key = rendering.problem_key(problem.question, problem.row)
                problems.setdefault(key, []).append(problem.message)
            if refused_files:
                messages.error(
                    request,
                    _("A file was refused (see below). Your other answers are saved as a draft."),
                )
            elif problems:
                messages.error(
                    request,
                    _("Not submitted: %(n)s answer(s) to fix. Your answers are saved as a draft.")
                    % {"n": len(saved.problems)},
                )
            elif "add_instance" in request.POST or "remove_instance" in request.POST:
                return redirect(
                    _url(assessment)
                    + "#"
                    + request.POST.get(
                        "add_instance", request.POST.get("remove_instance", "")
                    ).split(":")[0]
                )
            else:
                messages.success(request, _("Draft saved."))
                return redirect(_url(assessment))
    items = rendering.items(form, answers, problems)
    addresses = attachment_views.file_addresses(assessment)
    attachment_views.link_files(items, addresses)
    context = {
        "assessment": assessment,
        "case": assessment.case,
        "form": form,
        "can_fill": can_fill,
        "items": items,
        "attachment_limit": attachments.max_bytes() // 1_048_576,
        "hidden": [n for n, yes in engine.relevance(form, answers).items() if not yes],
        "nested_repeats": any(q.type == "repeat" and r for q, _p, r in form.walk()),
        "results": _results(form, assessment.scores),
        "not_rated": [
            rendering.pick(rule.labels, form) or rule.name
            for rule in form.scores
            if rule.type == "score"
            and (assessment.scores.get(rule.name) or {}).get("value") is None
        ],
        "answer_rows": rendering.answer_rows(form, assessment.answers),
        "latest": selectors.latest_definition(assessment.definition),
        "sign_off": selectors.sign_off_state(assessment),
        "can_sign_off": policy.can_case(user, "case.approve", assessment.case),
    }
    if can_fill and assessment.status == AssessmentStatus.DRAFT and assessment.definition.xform:
        # The form engine picks up the draft from the instance the answers make.
        context["xform"] = assessment.definition.xform
        context["instance"] = xform.write_instance(
            form, assessment.definition.xform, answers, assessment.instance_id
        )
        # The draft's files, for the form engine to fetch and show again.
        context["files"] = [{"name": name, "url": url} for name, url in addresses.items()]
    return render(request, "assessments/detail.html", context)


def _add_or_remove_instance(form, answers: dict, post) -> None:
    """The buttons of a repeated section: another instance, or one fewer (a draft save)."""
    if "add_instance" in post:
        repeat = form.question(post["add_instance"])
        if repeat is not None and repeat.type == "repeat":
            answers.setdefault(repeat.name, []).append({})
    elif "remove_instance" in post:
        name, _sep, index = post["remove_instance"].partition(":")
        instances = answers.get(name)
        if isinstance(instances, list) and index.isdigit() and int(index) < len(instances):
            instances.pop(int(index))


def _results(form, scores: dict) -> list[dict]:
    """Each score with its label, and for dimensions the answers that drove it, largest
    share first."""
    out = []
    # Overall results first; formula scores without a value (e.g. risks not faced) are
    # listed apart rather than shown as empty results.
    order = sorted(form.scores, key=lambda rule: rule.type != "composite")
    for rule in order:
        value = scores.get(rule.name)
        if value is None or (rule.type == "score" and value.get("value") is None):
            continue
        drivers = sorted(
            (c for c in value.get("contributions", []) if c.get("share")),
            key=lambda c: -c["share"],
        )
        out.append(
            {
                "name": rule.name,
                "label": rendering.pick(rule.labels, form) or rule.name,
                "type": rule.type,
                "value": value.get("value"),
                "normalised": value.get("normalised"),
                "band": value.get("band", ""),
                "answered": value.get("answered"),
                "drivers": [
                    {
                        "label": rendering.pick(form.question(c["question"]).labels, form)
                        if form.question(c["question"])
                        else c["question"],
                        "share": c["share"],
                    }
                    for c in drivers
                ],
            }
        )
    return out


@require_POST
@requires("assessment.fill")
def assessment_instance(request, pk):
    """The fill page's form engine saves a draft or submits: the answers come as the XForm
    instance it made; the server's engine checks them and scores a submission."""
    assessment = selectors.get_assessment(request.user, pk)
    if not policy.can_case(request.user, "assessment.fill", assessment.case):
        raise Http404
    instance = request.POST.get("instance", "")
    version = request.POST.get("version", "")
    if not instance or not version.isdigit():
        return JsonResponse(
            {"error": _("Send the answers and the version you edited.")}, status=400
        )
    submit = request.POST.get("submit") == "1"
    # The files the answers name (photos, recordings), one byte more than allowed read
    # from each, to tell one too large.
    limit = attachments.max_bytes() + 1
    files = [(f.name, f.read(limit)) for f in request.FILES.getlist("attachment")]
    try:
        saved = actions.save_instance(
            request.user, assessment, instance, int(version), submit=submit, files=files
        )
    except HavenError as exc:
        return JsonResponse({"error": exc.message}, status=exc.status_code)
    form = assessment.definition.parsed()
    if saved.submitted:  # shown on the page the engine goes to next
        messages.success(request, _("Assessment submitted and scored."))
    return JsonResponse(
        {
            "submitted": saved.submitted,
            "version": saved.assessment.version,
            "url": _url(assessment),
            "problems": [
                {
                    "question": rendering.pick(q.labels, form)
                    if (q := form.question(p.question))
                    else p.question,
                    "row": p.row,
                    "message": p.message,
                }
                for p in saved.problems
            ],
        }
    )


@require_POST
@requires("assessment.fill")
def assessment_check(request, pk):
    """What the fill page shows while typing: which questions are relevant to the answers
    so far, and what is already wrong with them (nothing is saved)."""
    assessment = selectors.get_assessment(request.user, pk)
    if not policy.can_case(request.user, "assessment.fill", assessment.case):
        raise Http404
    form = assessment.definition.parsed()
    answers = rendering.answers_from_post(form, request.POST)
    problems: dict[str, list[str]] = {}
    for problem in engine.check_answers(
        form, answers, final=False, language=actions.user_language(request.user)
    ):
        if problem.row is None:
            problems.setdefault(problem.question, []).append(problem.message)
    relevant = engine.relevance(form, answers)
    return JsonResponse(
        {
            "hidden": sorted(name for name, yes in relevant.items() if not yes),
            "problems": problems,
            "choices": engine.offered_choices(form, answers),
        }
    )


@requires("assessment.forms")
def forms_manage(request):
    """The agency's assessment forms, every version, and publishing a new one."""
    user = request.user
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose the XLSForm file (.xlsx or .xls) to publish."))
        elif upload.size > actions.MAX_FORM_BYTES:
            messages.error(request, _("The file is larger than 5 MB."))
        else:
            try:
                definition = actions.publish_definition(
                    user,
                    upload.read(),
                    upload.name,
                    media=actions.media_of(request.FILES.getlist("media")),
                )
            except actions.FormRefused as exc:
                problems = exc.problems
                messages.error(request, exc.message)
            except HavenError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Published %(title)s, version %(v)s.")
                    % {"title": definition.title, "v": definition.version},
                )
                return redirect("forms_manage")
    context = {
        "definitions": selectors.definitions_for(user)
        .select_related("uploaded_by", "agency")
        .order_by("form_id", "-version"),
        "problems": problems,
    }
    return render(request, "assessments/manage.html", context)


@require_safe
@requires("report.view")
def assessment_report(request):
    """Score distributions by programme and office; counts only, small cells hidden. The
    tables as a file when the address asks for one (`?format=csv|xlsx|hxl`, audited)."""
    found = reports.score_distributions(request.user)
    if request.GET.get("format") in table_exports.FORMATS:
        return table_exports.download(
            request,
            name="assessment-results",
            title=_("Assessment results"),
            report=reports.result_tables(request.user, found),
            period={},
            fmt=request.GET["format"],
        )
    context = {"reports": found, "threshold": settings.HAVEN_SMALL_CELL}
    return render(request, "assessments/report.html", context)


@require_POST
@requires("assessment.fill")
def assessment_recompute(request, pk):
    assessment = selectors.get_assessment(request.user, pk)
    succeeded(
        request,
        None,
        lambda: actions.recompute(request.user, assessment),
        _("Scores recomputed with the form's latest version."),
    )
    return redirect(_url(assessment))
