"""Importing the location hierarchy from CSV tagged with HXL hashtags (via libhxl).

Columns are recognised by their hashtags, not their headers: #country+code (required),
#country+name, then #adm1+code/#adm1+name, #adm2+code/#adm2+name, … down to #adm5.
"""

from dataclasses import dataclass, field

import hxl
import pycountry
from django.db import transaction

from haven.core.models import Location
from haven.core.request_guards import first_nul_line

MAX_LEVEL = 5


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _level_columns(dataset) -> list[tuple[int, str, str]]:
    tags = {column.get_display_tag(sort_attributes=True) for column in dataset.columns}
    levels = []
    for level in range(1, MAX_LEVEL + 1):
        code, name = f"#adm{level}+code", f"#adm{level}+name"
        if code in tags:
            levels.append((level, code, name))
    return levels


def import_hxl(source: str) -> ImportResult:
    """Create or update locations; rows with errors are reported and nothing is saved."""
    with open(source, "rb") as handle:
        nul = first_nul_line(handle.read())
    if nul is not None:
        return ImportResult(errors=[f"line {nul}: contains a NUL character; save it as CSV"])
    dataset = hxl.data(source, hxl.input.InputOptions(allow_local=True))
    levels = _level_columns(dataset)
    result = ImportResult()
    rows = []
    for number, row in enumerate(dataset, start=3):  # line 1 headers, line 2 hashtags
        country = (row.get("#country+code") or "").strip().upper()
        if not pycountry.countries.get(alpha_2=country):
            result.errors.append(f"line {number}: '{country}' is not an ISO 3166-1 alpha-2 code")
            continue
        chain = [
            (0, country, row.get("#country+name") or pycountry.countries.get(alpha_2=country).name)
        ]
        for level, code_tag, name_tag in levels:
            code = (row.get(code_tag) or "").strip()
            if not code:
                break
            name = (row.get(name_tag) or "").strip()
            if not name:
                result.errors.append(f"line {number}: {name_tag} is empty for code {code}")
                break
            chain.append((level, code, name))
        rows.append((country, chain))
    if result.errors:
        return result
    done: dict[str, Location] = {}
    with transaction.atomic():
        for country, chain in rows:
            parent = None
            for level, code, name in chain:
                if code not in done:
                    done[code], created = Location.objects.update_or_create(
                        code=code,
                        defaults={
                            "name": name,
                            "level": level,
                            "parent": parent,
                            "country_code": country,
                        },
                    )
                    result.created += created
                    result.updated += not created
                parent = done[code]
    return result


def label(location: Location) -> str:
    """How a place is shown and typed back in a picker: its name, where it is, its code
    (two villages may share a name; the code tells them apart)."""
    where = location.parent.name if location.parent_id else location.country_code
    return f"{location.name} ({where}) · {location.code}"


def search(text: str):
    """Places whose name contains what was typed, the larger units first (a queryset: the
    caller pages it)."""
    text = " ".join((text or "").split())
    if len(text) < 2:
        return Location.objects.none()
    return (
        Location.objects.filter(name__icontains=text)
        .select_related("parent")
        .order_by("level", "name", "code")
    )


def resolve(text: str) -> Location | None:
    """The place a picker's text names: by the code after "·", else by a name only one
    place has. None when nothing matches; ValueError when several do."""
    text = " ".join((text or "").split())
    if not text:
        return None
    if "·" in text:
        found = Location.objects.filter(code=text.rsplit("·", 1)[1].strip()).first()
        if found is not None:
            return found
    matches = list(Location.objects.filter(name__iexact=text.split(" (")[0])[:2])
    if len(matches) > 1:
        raise ValueError("ambiguous")
    return matches[0] if matches else None
