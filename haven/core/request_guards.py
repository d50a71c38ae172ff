"""Input no field of Haven can hold is refused at the door, with what to fix.

PostgreSQL text cannot contain the NUL character (U+0000): a search or a field holding
one would reach the database and fail there. No form, search or API field has a use for
it, so a request carrying one in its address or in its form or JSON body gets a 400 that
names the field; files are checked by their importers (`first_nul_line`).
"""

import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

NUL = "\x00"


def first_nul_line(data: bytes | str) -> int | None:
    """The line number (from 1) of the first NUL character in an uploaded file, if any."""
    nul = b"\x00" if isinstance(data, bytes) else NUL
    newline = b"\n" if isinstance(data, bytes) else "\n"
    at = data.find(nul)
    return None if at < 0 else data.count(newline, 0, at) + 1


def _field_with_nul(request) -> str | None:
    for name, values in request.GET.lists():
        if NUL in name or any(NUL in value for value in values):
            return name
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if _length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                # Too large to read here: the view refuses it, or it is an upload whose
                # files the importers check and whose fields Django's forms check.
                return None
            try:
                form = request.POST
            except MultiPartParserError:
                return None  # a broken upload: the view's parser answers it with a 400
            for name, values in form.lists():
                if NUL in name or any(NUL in value for value in values):
                    return name
        elif content_type.endswith("json"):
            if _length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return None  # the API's parser refuses it as too large
            body = request.body
            # JSON writes NUL as the escape \u0000: parse only when that text is there.
            if b"\x00" in body or (b"\\u0000" in body and _json_has_nul(body)):
                return "body"
    return None


def _length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _json_has_nul(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False  # not JSON: the parser will say so
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _field_with_nul(request)
        if field is None:
            return self.get_response(request)
        message = _(
            "%(field)s contains a NUL character (\\0), which no text in Haven may hold: "
            "remove it and send again."
        ) % {"field": field}
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
