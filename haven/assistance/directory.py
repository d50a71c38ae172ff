"""The provider directory as CSV with HXL hashtags (read with libhxl), for exchange with the
service mappings humanitarian coordination keeps. Columns are recognised by hashtag:

    #org+name  #loc+name  #service+code  #loc+code  #loc+address  #contact+phone
    #meta+languages  #meta+age+min  #meta+age+max  #meta+sex  #meta+nationality
    #meta+vulnerability  #meta+hours  #capacity

Lists (services, languages, sexes, …) are space-separated codes. A file with any bad row is
refused whole, each problem with its line.
"""

import io
from dataclasses import dataclass, field

import hxl
from django.db import transaction

from haven.assistance.models import Provider, ServicePoint, ServiceType
from haven.core.models import Location
from haven.core.request_guards import first_nul_line
from haven.core.spreadsheets import csv_writer

COLUMNS = [
    ("Provider", "#org+name", lambda p: p.provider.name),
    ("Service point", "#loc+name", lambda p: p.name),
    ("Services", "#service+code", lambda p: " ".join(s.code for s in p.services.all())),
    ("Location code", "#loc+code", lambda p: p.location.code if p.location else ""),
    ("Address", "#loc+address", lambda p: p.address),
    ("Phone", "#contact+phone", lambda p: p.phone),
    ("Languages", "#meta+languages", lambda p: " ".join(p.languages)),
    ("Minimum age", "#meta+age+min", lambda p: "" if p.min_age is None else p.min_age),
    ("Maximum age", "#meta+age+max", lambda p: "" if p.max_age is None else p.max_age),
    ("Sexes", "#meta+sex", lambda p: " ".join(p.sexes)),
    ("Nationalities", "#meta+nationality", lambda p: " ".join(p.nationalities)),
    ("Vulnerabilities", "#meta+vulnerability", lambda p: " ".join(p.vulnerabilities)),
    ("Opening hours", "#meta+hours", lambda p: p.opening_hours),
    ("Capacity", "#capacity", lambda p: "" if p.capacity is None else p.capacity),
]


def export_csv(points) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([header for header, _tag, _get in COLUMNS])
    writer.writerow([tag for _header, tag, _get in COLUMNS])
    for point in points:
        writer.writerow([get(point) for _header, _tag, get in COLUMNS])
    return out.getvalue()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _words(row, tag) -> list[str]:
    return (row.get(tag) or "").split()


def _number(row, tag, line, errors):
    text = (row.get(tag) or "").strip()
    if not text:
        return None
    if not text.isdigit():
        errors.append(f"line {line}: {tag} must be a whole number, not '{text}'")
        return None
    return int(text)


def import_csv(
    data: bytes, *, may_change=lambda provider: True, maintained_by_id: int | None = None
) -> ImportResult:
    """Create or update service points (providers by name, points by provider and name)."""
    nul = first_nul_line(data)
    if nul is not None:
        return ImportResult(
            errors=[f"line {nul}: contains a NUL character (\\0); save the file again as CSV"]
        )
    try:
        dataset = list(hxl.data(io.BytesIO(data), hxl.input.InputOptions(allow_local=True)))
    except hxl.HXLException as exc:
        return ImportResult(errors=[f"The file cannot be read as HXL-tagged CSV: {exc}"])
    services = {s.code: s for s in ServiceType.objects.all()}
    names = {(row.get("#org+name") or "").strip() for row in dataset}
    known = {p.name: p for p in Provider.objects.filter(name__in=names)}
    result = ImportResult()
    rows = []
    for line, row in enumerate(dataset, start=3):  # line 1 headers, line 2 hashtags
        provider = (row.get("#org+name") or "").strip()
        name = (row.get("#loc+name") or "").strip()
        if not provider or not name:
            result.errors.append(f"line {line}: #org+name and #loc+name are required")
            continue
        existing = known.get(provider)
        if existing is not None and not may_change(existing):
            result.errors.append(
                f"line {line}: '{provider}' is kept by another agency's administrators; "
                "leave it out or ask them"
            )
            continue
        codes = _words(row, "#service+code")
        unknown = [c for c in codes if c not in services]
        if not codes or unknown:
            result.errors.append(
                f"line {line}: unknown or missing #service+code: {' '.join(unknown) or '—'}"
            )
        location = None
        code = (row.get("#loc+code") or "").strip()
        if code:
            location = Location.objects.filter(code=code).first()
            if location is None:
                result.errors.append(f"line {line}: no location with the code '{code}'")
        values = {
            "location": location,
            "address": (row.get("#loc+address") or "").strip(),
            "phone": (row.get("#contact+phone") or "").strip(),
            "languages": _words(row, "#meta+languages"),
            "min_age": _number(row, "#meta+age+min", line, result.errors),
            "max_age": _number(row, "#meta+age+max", line, result.errors),
            "sexes": _words(row, "#meta+sex"),
            "nationalities": [c.upper() for c in _words(row, "#meta+nationality")],
            "vulnerabilities": _words(row, "#meta+vulnerability"),
            "opening_hours": (row.get("#meta+hours") or "").strip(),
            "capacity": _number(row, "#capacity", line, result.errors),
        }
        low, high = values["min_age"], values["max_age"]
        if low is not None and high is not None and low > high:
            result.errors.append(
                f"line {line}: #meta+age+min ({low}) is above #meta+age+max ({high})"
            )
        for tag in ("#meta+age+min", "#meta+age+max"):
            age = values["min_age" if tag.endswith("min") else "max_age"]
            if age is not None and age > 130:
                result.errors.append(f"line {line}: {tag} must be an age, 0 to 130")
        rows.append((provider, name, [services[c] for c in codes if c in services], values))
    if result.errors:
        return result
    with transaction.atomic():
        for provider_name, name, offered, values in rows:
            provider, _new = Provider.objects.get_or_create(
                name=provider_name, defaults={"maintained_by_id": maintained_by_id}
            )
            point, created = ServicePoint.objects.update_or_create(
                provider=provider, name=name, defaults=values
            )
            point.services.set(offered)
            if created:
                result.created += 1
            else:
                result.updated += 1
    return result
