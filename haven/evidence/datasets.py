"""What a de-identified release of cases can hold: each field, how it is read from a case,
and how it generalises. Only cases whose person's consent for statistics is in force are
read, and never a sensitive case."""

from django.utils.translation import gettext_lazy as _

from haven.cases.models import Case
from haven.people.models import ConsentPurpose, age_on
from haven.people.selectors import with_consent
from haven.privacy import hierarchy as hy

FIELDS = {
    "age": _("Age at registration (then CTDC age bands, then minor or adult)"),
    "sex": _("Sex"),
    "nationality": _("Nationality (the first one)"),
    "programme": _("Programme"),
    "vulnerability": _("Vulnerability category (the first one)"),
    "office": _("Office"),
    "year": _("Year of registration"),
}


# Attributes a release may protect with ℓ-diversity (released as they are).
SENSITIVE = {
    "vulnerability": _("Vulnerability category (the first one)"),
    "programme": _("Programme"),
}

_READ = {
    "age": lambda row: age_on(row["person__birth_date"], row["registered_on"]),
    "sex": lambda row: row["person__sex"],
    "nationality": lambda row: (row["person__nationalities"] or [None])[0],
    "programme": lambda row: row["programme"],
    "vulnerability": lambda row: (row["vulnerabilities"] or [None])[0],
    "office": lambda row: row["office__name"],
    "year": lambda row: row["registered_on"].year,
}


def records(agency_id: int, fields: list[str]) -> tuple[dict[str, list], dict[str, int]]:
    """The columns of the release's source, and the counts its report states: cases of
    the agency considered, left out for want of consent, sensitive cases left out."""
    cases = Case.objects.filter(agency_id=agency_id)
    sensitive = cases.filter(sensitive=True).count()
    rows = list(
        cases.filter(sensitive=False).values(
            "person_id",
            "registered_on",
            "programme",
            "vulnerabilities",
            "office__name",
            "person__sex",
            "person__birth_date",
            "person__nationalities",
        )
    )
    consenting = with_consent({row["person_id"] for row in rows}, ConsentPurpose.REPORTING)
    kept = [row for row in rows if row["person_id"] in consenting]
    columns = {name: [_READ[name](row) for row in kept] for name in fields}
    counts = {
        "cases_of_the_agency": len(rows) + sensitive,
        "sensitive_left_out": sensitive,
        "without_consent_left_out": len(rows) - len(kept),
        "records_in": len(kept),
    }
    return columns, counts


def hierarchies(columns: dict[str, list]) -> dict[str, hy.Hierarchy]:
    """Each field's generalisation, built from the values present."""
    built = {}
    for name, values in columns.items():
        if name == "age":
            built[name] = hy.ctdc_age_bands(name, [v for v in values if v is not None] or [0])
        else:
            built[name] = hy.flat(name, [v for v in values if v is not None] or ["-"])
    return built
