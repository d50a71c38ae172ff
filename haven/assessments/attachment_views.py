"""The files of a response on its pages: taken from the fill page's file fields, and given
back to those who may see the response (photos and recordings shown in the browser, other
files downloaded; every opening written to the access log). Files are addressed by their
number, never by their name, which may say who is in them."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from haven.accounts.gates import requires
from haven.assessments import attachments, selectors
from haven.assessments.rendering import Item, problem_key
from haven.audit.actions import record_access
from haven.core.errors import HavenError

UPLOAD_SUFFIX = "__file"


def receive_uploads(request, assessment, answers: dict) -> dict[str, list[str]]:
    """Each file posted beside a photo, recording or file question kept and named in the
    answers; what was refused, by question, for the page to show."""
    problems: dict[str, list[str]] = {}
    for key, upload in request.FILES.items():
        if not key.endswith(UPLOAD_SUFFIX):
            continue
        field = key.removesuffix(UPLOAD_SUFFIX)
        parts = field.split("__")
        row = int(parts[1]) + 1 if len(parts) == 3 and parts[1].isdigit() else None
        # One byte more than allowed is read, to tell a file too large from one just right.
        data = upload.read(attachments.max_bytes() + 1)
        try:
            stored = attachments.receive(
                request.user, assessment, parts[-1], f"{field}-{upload.name}", data
            )
        except HavenError as exc:
            problems.setdefault(problem_key(parts[-1], row), []).append(exc.message)
            continue
        _name_in(answers, parts, stored.name)
    return problems


def _name_in(answers: dict, parts: list[str], name: str) -> None:
    if len(parts) == 1:
        answers[parts[0]] = name
        return
    repeat, index, question = parts[0], parts[1], parts[-1]
    entries = answers.get(repeat)
    if isinstance(entries, list) and index.isdigit() and int(index) < len(entries):
        entries[int(index)][question] = name


def file_addresses(assessment) -> dict[str, str]:
    """Where each file of the response is shown, by the name its answer gives it."""
    return {
        name: reverse("assessment_attachment", kwargs={"pk": assessment.pk, "number": number})
        for name, number in assessment.attachments.values_list("name", "pk")
    }


def link_files(items: list[Item], addresses: dict[str, str]) -> None:
    """Each photo, recording or file answer on the page gets the address of its file."""
    for item in items:
        if item.type in attachments.MEDIA_TYPES and item.value in addresses:
            item.url = addresses[item.value]
        link_files(item.items, addresses)
        for entry in item.instances:
            link_files(entry, addresses)


@require_safe
@requires("case.view")
def assessment_attachment(request, pk, number):
    assessment = selectors.get_assessment(request.user, pk)
    attachment = assessment.attachments.filter(pk=number).first()
    if attachment is None:
        raise Http404
    record_access(request.user, "assessment.attachment", assessment)
    response = HttpResponse(attachment.data, content_type=attachment.content_type)
    shown = attachment.content_type.startswith(("image/", "audio/"))
    disposition = "inline" if shown else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{attachment.name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
