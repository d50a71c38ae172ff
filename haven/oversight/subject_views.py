"""Pages of data subjects' requests: find a person, and everything held about them."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from haven.accounts.gates import requires
from haven.audit.actions import record_access
from haven.core.web import paginate, query_without_page
from haven.oversight import subject_records


@require_safe
@requires("subject.access")
def subjects(request):
    """Find the person a request is about, by case number, name or document number. Nothing
    is listed before a search: the page is not a register of everyone."""
    query = request.GET.get("q", "").strip()[:100]
    found = subject_records.subjects(request.user, query) if query else None
    return render(
        request,
        "oversight/subjects.html",
        {
            "query": query,
            "page": paginate(request, found, 25) if found is not None else None,
            "querystring": query_without_page(request),
        },
    )


@require_safe
@requires("subject.access")
def subject(request, pk: int):
    person = subject_records.subject_for(request.user, pk)
    if person is None:
        raise Http404
    gathered = subject_records.gather(person)
    record_access(request.user, "subject.gather", person)
    return render(
        request,
        "oversight/subject.html",
        {
            "gathered": gathered,
            "not_gathered": subject_records.NOT_GATHERED,
            "held": sum(len(section.records) for section in gathered.sections),
        },
    )
