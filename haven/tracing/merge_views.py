"""The duplicate pages: the review queue, the field-by-field merge and its undo, and the
deduplication job an administrator runs."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
from haven.accounts.gates import requires
from haven.audit.actions import batch, record_access
from haven.cases import selectors as case_selectors
from haven.cases.models import Case
from haven.core.web import paginate, submitted, succeeded
from haven.people import selectors as people_selectors
from haven.people.models import Person
from haven.tracing import dedupe_actions, merge_actions, selectors
from haven.tracing.labels import translated
from haven.tracing.merge_forms import MergeForm
from haven.tracing.models import DedupeJob, JobStatus


@require_safe
@requires("person.merge")
def duplicates_queue(request):
    page = paginate(request, selectors.review_queue(request.user))
    with batch():  # the queue names both persons of each pair: each a view to log
        for pair in page:
            pair.reasons = translated(pair.explanation) if pair.explanation else []
            record_access(request.user, "person.duplicate_review", pair.first)
            record_access(request.user, "person.duplicate_review", pair.second)
    return render(request, "tracing/duplicates.html", {"page": page, "querystring": ""})


@require_POST
@requires("person.merge")
def pair_dismiss(request, pk):
    pair = selectors.get_pair(request.user, pk)
    succeeded(
        request,
        None,
        lambda: dedupe_actions.dismiss_pair(request.user, pair),
        _("Marked as two different people: this pair will not be proposed again."),
    )
    return redirect("duplicates_queue")


@require_POST
@requires("person.merge")
def merge_from_case(request, pk):
    """From a case's Person tab: merge its person with the person of another case."""
    case = case_selectors.get_case(request.user, pk, "case.update")
    number = request.POST.get("other_case", "").strip()
    other = case_selectors.visible_cases(request.user, "case.update").filter(number=number).first()
    if other is None or other.person_id == case.person_id:
        messages.error(
            request,
            _("Give the number of another case you may edit, e.g. AA-2026-000123."),
        )
        return redirect(f"/cases/{case.pk}/?tab=person")
    return redirect(f"/persons/merge/?a={case.person_id}&b={other.person_id}")


def _person(user, value):
    if not str(value).isdigit():
        raise Http404("No such person")
    return people_selectors.get_person(user, int(value))


@requires("person.merge")
def person_merge(request):
    user = request.user
    params = request.POST if request.method == "POST" else request.GET
    a, b = _person(user, params.get("a", "")), _person(user, params.get("b", ""))
    if request.method == "GET":
        for person in (a, b):
            record_access(user, "person.merge_review", person)
    form = MergeForm(request.POST or None, a=a, b=b)
    done = []
    if submitted(
        request,
        form,
        lambda: done.append(
            merge_actions.merge_persons(
                user, *form.survivor_and_merged(), take=form.taken(), versions=form.versions()
            )
        ),
        _("Records merged. You can undo the merge from this page."),
    ):
        return redirect("merge_detail", pk=done[0].pk)
    cases = Case.objects.filter(person__in=[a, b]).order_by("registered_on")
    return render(
        request,
        "tracing/merge.html",
        {
            "form": form,
            "a": a,
            "b": b,
            "cases_a": [c for c in cases if c.person_id == a.pk],
            "cases_b": [c for c in cases if c.person_id == b.pk],
            "pair": selectors.pair_for(a.pk, b.pk),
        },
    )


@require_safe
@requires("person.merge")
def merge_detail(request, pk):
    merge = selectors.get_merge(request.user, pk)
    record_access(request.user, "person.merge_detail", merge.survivor)
    return render(
        request,
        "tracing/merge_detail.html",
        {
            "merge": merge,
            "moved": {k: len(v) for k, v in merge.moved.items()},
            "taken": [Person._meta.get_field(name).verbose_name for name in merge.taken_fields],
        },
    )


@require_POST
@requires("person.merge")
def merge_undo(request, pk):
    merge = selectors.get_merge(request.user, pk)
    succeeded(
        request,
        None,
        lambda: merge_actions.undo_merge(request.user, merge),
        _("Merge undone: both records are as they were."),
    )
    return redirect("merge_detail", pk=merge.pk)


@requires("person.deduplicate")
def dedupe_jobs(request):
    if request.method == "POST":
        succeeded(
            request,
            None,
            lambda: dedupe_actions.start_job(request.user),
            _("Deduplication started."),
        )
        return redirect("dedupe_jobs")
    jobs = list(
        DedupeJob.objects.filter(policy.dedupe_job_q(request.user)).select_related("started_by")[
            :10
        ]
    )
    running = any(job.status in (JobStatus.QUEUED, JobStatus.RUNNING) for job in jobs)
    return render(
        request,
        "tracing/dedupe_jobs.html",
        {
            "jobs": jobs,
            "running": running,
            "can_review": policy.has_perm(request.user, "person.merge"),
        },
    )


@require_POST
@requires("person.deduplicate")
def dedupe_cancel(request, pk):
    job = DedupeJob.objects.filter(policy.dedupe_job_q(request.user), pk=pk).first()
    if job is None:
        raise Http404("No such job")
    succeeded(
        request,
        None,
        lambda: dedupe_actions.cancel_job(request.user, job),
        _("Deduplication cancelled."),
    )
    return redirect("dedupe_jobs")
