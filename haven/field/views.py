"""The field app's pages: the offline app's shell (with its service worker and manifest),
the devices list with revocation, and the conflicts to resolve."""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from haven.accounts.gates import requires_any
from haven.assessments.form_engine import engine_digest, engine_urls, form_engine_page
from haven.audit.actions import record_access
from haven.core.errors import HavenError
from haven.core.web import paginate
from haven.field import actions, selectors

BUILD = Path(__file__).parent / "static" / "field" / "build"


@require_safe
@requires_any("field.offline")
@form_engine_page
def app(request):
    """The offline app's shell: no personal data in it, so the service worker may keep it."""
    device_side = {
        **actions.device_settings(),
        "files_max_bytes": settings.HAVEN_ATTACHMENT_MAX_BYTES,
    }
    return render(request, "field/app.html", {"settings": device_side, "texts": texts()})


def texts() -> dict:
    """What the offline app says, in the user's language ({n}, {reason}… filled in there)."""
    return {
        "name_needed": _("Name the device."),
        "passphrase_short": _("The passphrase needs at least 10 characters."),
        "passphrases_differ": _("The two passphrases differ: type the same one twice."),
        "enrolled": _("Device enrolled. Sync now to take your open cases with you."),
        "wrong_passphrase": _(
            "Wrong passphrase. Try again in {n} seconds; the data stays encrypted."
        ),
        "wait": _("Wait {n} more seconds before trying again."),
        "unlocked": _("Unlocked."),
        "locked": _("Locked after {n} minutes without use: enter the passphrase."),
        "online": _("Online"),
        "offline": _(
            "Offline: your work is kept on this device and synced when you are back online."
        ),
        "needs_online": _("This needs a connection: try again when you are online."),
        "sign_in": _(
            "Sign in again online to sync (your session ended); nothing on this device is lost."
        ),
        "sending": _("Sending {n} changes…"),
        "receiving": _("Receiving cases ({n} so far)…"),
        "synced": _(
            "Synced: {applied} applied, {conflict} conflicts, {refused} refused, {waiting} waiting."
        ),
        "sync_failed": _(
            "The sync stopped ({reason}); it resumes where it stopped next time. Nothing was lost."
        ),
        "wiped": _("This device's data was wiped: {reason}"),
        "expired": _("This device had not synced for {n} days, so its data was wiped."),
        "storage_full": _(
            "The device's storage is full: sync now to free space. Nothing already saved was lost."
        ),
        "note_empty": _("Write the note first."),
        "note_saved": _("Note saved on this device; it is sent at the next sync."),
        "service_needed": _("Choose the service and the date."),
        "service_saved": _("Service saved on this device; it is sent at the next sync."),
        "referral_needed": _(
            "Choose the service and the service point, and say what the person needs."
        ),
        "referral_fields": _("Choose at least one thing to share with the service."),
        "referral_consent_needed": _(
            "The person has not consented to referral: ask them, and tick their consent once "
            "they agree."
        ),
        "referral_saved": _("Referral saved on this device; it is sent at the next sync."),
        "assessment_saved": _(
            "Assessment saved on this device; it is checked and scored at the next sync."
        ),
        "assessment_choose": _("Choose the form to fill."),
        "assessment_file_too_large": _(
            "A photo or file of this form is {size} MB; a file may be at most {limit} MB: "
            "choose a smaller one or record a shorter one."
        ),
        "assessment_engine_missing": _(
            "The form engine is not on this device yet: open the app once while online."
        ),
        "summary_saved": _("Summary saved on this device; it is sent at the next sync."),
        "step_saved": _("Step saved on this device; it is sent at the next sync."),
        "given_needed": _("Give at least the given name."),
        "sex_needed": _("Choose the sex."),
        "programme_needed": _("Choose the programme and at least one vulnerability."),
        "country_unknown": _(
            "Pick the nationality from the list (type a few letters of the country)."
        ),
        "language_unknown": _("Pick the language from the list (type a few letters of its name)."),
        "consent_needed": _(
            "Registration offline needs the person's consent: tick it once they agree."
        ),
        "registered": _("Registered on this device with a provisional number."),
        "provisional": _("provisional number"),
        "state_synced": _("synced"),
        "state_waiting": _("waiting to sync"),
        "state_conflict": _("conflict: the case owner chooses"),
        "state_refused": _("refused: {reason}"),
        "duplicate": _(
            "Possible duplicate of a person already registered: a supervisor reviews it."
        ),
        "counts": _("{cases} cases on this device · {waiting} changes waiting · last sync {last}"),
        "never": _("never"),
        "no_match": _("No case on this device matches."),
        "status": _("Status"),
        "programme": _("Programme"),
        "registered_on": _("Registered"),
        "born": _("Born"),
        "no_notes": _("No notes yet."),
        "no_services": _("No services yet."),
        "no_assessments": _("No assessment yet."),
        "place_unknown": _(
            "Not a place on this device's list, or several places have that name: type a few "
            "letters and pick one."
        ),
        "no_tasks": _("No task is due."),
        "no_plan": _("No case plan yet."),
        "overdue": _("overdue"),
        "choose": _("Choose…"),
    }


@require_safe
@never_cache
def service_worker(request):
    """Served from /field/ so that its scope covers the app; public (it holds no data)."""
    script = (BUILD / "sw.js").read_text(encoding="utf-8")
    shell = [
        reverse("field_app"),
        reverse("field_manifest"),
        static("field/build/app.js"),
        static("field/field.css"),
        static("field/icon.svg"),
        static("haven/haven.css"),
        *engine_urls(),
    ]
    # A new build is a new cache: the worker replaces the old shell at once.
    built = hashlib.sha256((BUILD / "app.js").read_bytes() + script.encode() + engine_digest())
    version = built.hexdigest()[:16]
    preamble = f"self.HAVEN_SHELL={json.dumps(shell)};self.HAVEN_VERSION={json.dumps(version)};\n"
    response = HttpResponse(preamble + script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/field/"
    return response


@require_safe
def manifest(request):
    return JsonResponse(
        {
            "name": "Haven — " + _("field work"),
            "short_name": "Haven",
            "start_url": "/field/",
            "scope": "/field/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1f4e79",
            "icons": [
                {"src": static("field/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        content_type="application/manifest+json",
    )


@require_safe
@requires_any("field.offline", "field.devices")
def devices(request):
    listed = selectors.devices_visible_to(request.user).order_by("user__username", "-enrolled_at")
    return render(request, "field/devices.html", {"page": paginate(request, listed)})


@require_safe
@requires_any("field.offline", "field.devices")
def device_detail(request, pk):
    """What a device holds (case numbers, never names) and what it sent: what a lost
    phone exposed, and what it did."""
    device = selectors.devices_visible_to(request.user).filter(pk=pk).first()
    if device is None:
        raise Http404("No such device")
    return render(
        request,
        "field/device.html",
        {
            "device": device,
            "held": selectors.held_by(device),
            "operations": selectors.operation_counts(device),
        },
    )


@requires_any("field.offline", "field.devices")
def revoke(request, pk):
    device = selectors.devices_visible_to(request.user).filter(pk=pk).first()
    if device is None:
        raise Http404("No such device")
    if request.method == "POST":
        try:
            actions.revoke(request.user, device, request.POST.get("reason", ""))
        except HavenError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Device revoked: it wipes its data the next time it connects.")
            )
        return redirect("field_devices")
    return render(request, "field/revoke.html", {"device": device})


@require_safe
@requires_any("case.update")
def conflicts(request):
    listed = selectors.open_conflicts(request.user)
    return render(request, "field/conflicts.html", {"page": paginate(request, listed)})


@requires_any("case.update")
def conflict(request, pk):
    item = get_object_or_404(selectors.open_conflicts(request.user), pk=pk)
    if request.method == "GET":
        # Both values may be the person's details: seeing them is a view of personal data.
        record_access(request.user, "conflict.detail", item.case)
    if request.method == "POST":
        try:
            actions.resolve(request.user, item, request.POST.get("choice", ""))
        except HavenError as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:  # the case's own checks refused the value
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Conflict resolved."))
            return redirect("field_conflicts")
    return render(request, "field/conflict.html", {"conflict": item})


@requires_any("field.offline")
def picks(request):
    """The cases the user takes offline besides their own: add by number, remove."""
    if request.method == "POST":
        try:
            actions.pick(request.user, request.POST.get("number", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except HavenError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The case goes to your devices at their next sync."))
            return redirect("field_picks")
    chosen = selectors.picks_of(request.user)
    return render(request, "field/picks.html", {"page": paginate(request, chosen)})


@requires_any("field.offline")
@require_POST
def unpick(request, pk):
    chosen = get_object_or_404(selectors.picks_of(request.user), pk=pk)
    actions.unpick(request.user, chosen)
    messages.success(request, _("The case leaves your devices at their next sync."))
    return redirect("field_picks")
