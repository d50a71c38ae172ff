"""Importing responses collected with KoboToolbox or ODK from the web: the export read and
shown first — how each column is read, how many rows name a case in the user's scope, how
many were imported before — and saved only once the user confirms. Between the two steps
the file travels with the page encrypted under Haven's key (a token the browser cannot
read or alter, bound to the user and the form version, valid for an hour): nothing is kept
on the server until the import itself."""

import base64
import json

from cryptography.fernet import InvalidToken
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from haven.accounts.gates import requires
from haven.assessments import actions, imports, selectors
from haven.core import crypto

PENDING_SECONDS = 3600


def _pending(user, definition, name: str, data: bytes) -> str:
    payload = {"user": user.pk, "definition": definition.pk, "name": name}
    payload["data"] = base64.b64encode(data).decode()
    return crypto.encrypt_bytes(json.dumps(payload).encode())


def _unpacked(user, token: str) -> dict | None:
    try:
        payload = json.loads(crypto.decrypt_bytes(token, ttl=PENDING_SECONDS))
    except (InvalidToken, ValueError):
        return None
    return payload if payload.get("user") == user.pk else None


@requires("assessment.fill")
def assessment_import(request):
    """Step 1: the form version and the export; step 2 (`pending`): the import itself."""
    user = request.user
    context: dict = {"definitions": selectors.current_definitions(user)}
    if request.method != "POST":
        return render(request, "assessments/import.html", context)
    token = request.POST.get("pending", "")
    if token:
        payload = _unpacked(user, token)
        if payload is None:
            messages.error(request, _("This preview has expired: choose the file again."))
            return render(request, "assessments/import.html", context)
        definition = selectors.get_definition(user, payload["definition"])
        data, name = base64.b64decode(payload["data"]), payload["name"]
    else:
        chosen = request.POST.get("definition", "")
        upload = request.FILES.get("file")
        if not chosen.isdigit() or upload is None:
            messages.error(request, _("Choose the form and the export file to read."))
            return render(request, "assessments/import.html", context)
        if upload.size > actions.MAX_FORM_BYTES:
            messages.error(request, _("The file is larger than 5 MB."))
            return render(request, "assessments/import.html", context)
        definition = selectors.get_definition(user, int(chosen))
        data, name = upload.read(), upload.name
    context["definition"] = definition
    try:
        parsed = imports.read(definition.parsed(), data, name)
    except imports.UnreadableFile as exc:
        messages.error(request, str(exc))
        return render(request, "assessments/import.html", context)
    context.update(
        file_name=name,
        rows=len(parsed.rows),
        columns=parsed.columns,
        ignored=parsed.ignored,
        **actions.import_counts(user, definition, parsed),
    )
    if not token:
        context["pending"] = _pending(user, definition, name, data)
        return render(request, "assessments/import.html", context)
    results = actions.import_responses(user, definition, parsed)
    context["results"] = results
    context["created"] = sum(1 for r in results if r["status"] == 201)
    context["unchanged"] = sum(1 for r in results if r["status"] == 200)
    context["refused"] = len(results) - context["created"] - context["unchanged"]
    messages.success(
        request,
        _("%(n)s response(s) imported.") % {"n": context["created"]},
    )
    return render(request, "assessments/import.html", context)
