"""What a de-identified release of cases can hold: each field, how it is read from a case,
and how it generalises. Only cases whose person's consent for statistics is in force are
read, and never a sensitive case. A CTDC-style release adds the case's types of
exploitation and means of control, each generalised as one set and released as the
yes/no flags of the Counter-Trafficking Data Collaborative's global dataset."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.cases.models import Case, ControlMeans, Exploitation, Programme, Vulnerability
from haven.cases.selectors import with_vulnerability_q
from haven.core.models import Location
from haven.core.reference import region_tree
from haven.people.models import ConsentPurpose, age_on
from haven.people.selectors import with_consent
from haven.privacy import hierarchy as hy

FIELDS = {
    "age": _("Age at registration (then CTDC age bands, then minor or adult)"),
    "sex": _("Sex"),
    "nationality": _("Nationality (the first one; then sub-region, then region)"),
    "programme": _("Programme"),
    "vulnerability": _("Vulnerability category (the first one)"),
    "office": _("Office"),
    "year": _("Year of registration"),
    "place": _("Current place (P-code, then up the administrative levels)"),
}


# The fields of a CTDC-style release, all of them quasi-identifiers.
CTDC_FIELDS = {
    "age": FIELDS["age"],
    "sex": FIELDS["sex"],
    "nationality": FIELDS["nationality"],
    "year": FIELDS["year"],
    "exploitation": _("Types of exploitation (as one set)"),
    "control": _("Means of control (as one set)"),
}


def fields_for(kind: str) -> dict:
    return CTDC_FIELDS if kind == "ctdc" else FIELDS


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
    "exploitation": lambda row: _as_set(row["trafficking__exploitation"]),
    "control": lambda row: _as_set(row["trafficking__means_of_control"]),
    "place": lambda row: row["person__current_location__code"],
}


def _as_set(values) -> str | None:
    """A list of codes as one value ("forced_labour;sexual"); none recorded is missing."""
    return ";".join(sorted(values)) if values else None


def records(
    agency_id: int, fields: list[str], *, counter_trafficking: bool = False
) -> tuple[dict[str, list], dict[str, int]]:
    """The columns of the release's source, and the counts its report states: cases of
    the agency considered, left out for want of consent, sensitive cases left out."""
    cases = Case.objects.filter(agency_id=agency_id)
    extra = []
    if counter_trafficking:
        cases = cases.filter(
            Q(programme=Programme.COUNTER_TRAFFICKING)
            | with_vulnerability_q(Vulnerability.TRAFFICKING_VICTIM)
        )
        extra = ["trafficking__exploitation", "trafficking__means_of_control"]
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
            "person__current_location__code",
            *extra,
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
        elif name == "nationality" and any(v is not None for v in values):
            present = {v for v in values if v is not None}
            built[name] = hy.tree(name, region_tree(present), present)
        elif name == "place" and any(v is not None for v in values):
            parents = dict(Location.objects.values_list("code", "parent__code"))
            built[name] = hy.tree(name, parents, [v for v in values if v is not None])
        else:
            built[name] = hy.flat(name, [v for v in values if v is not None] or ["-"])
    return built


# CTDC's column names (its global dataset's codebook) for each Haven code.
_EXPLOITATION_FLAGS = {
    Exploitation.SEXUAL: "isSexualExploit",
    Exploitation.FORCED_LABOUR: "isForcedLabour",
    Exploitation.FORCED_MARRIAGE: "isForcedMarriage",
    Exploitation.FORCED_MILITARY: "isForcedMilitary",
    Exploitation.ORGAN_REMOVAL: "isOrganRemoval",
    Exploitation.SLAVERY: "isSlaveryAndPractices",
    Exploitation.OTHER: "isOtherExploit",
}
_CONTROL_FLAGS = {
    code: "meansOfControl" + "".join(w.capitalize() for w in code.split("_"))
    for code in ControlMeans.values
}


def ctdc_table(columns: dict[str, list]) -> tuple[list[str], list[list]]:
    """The released columns in CTDC's layout: a set of codes becomes one 1/0 flag per code;
    a set generalised away (or never recorded) leaves its flags empty, unknown."""
    header = ["yearOfRegistration", "gender", "ageBroad", "citizenship"]
    header += [*_EXPLOITATION_FLAGS.values(), *_CONTROL_FLAGS.values()]
    rows = []
    for index in range(len(columns["age"])):
        row = [columns[name][index] for name in ("year", "sex", "age", "nationality")]
        for name, flags in (("exploitation", _EXPLOITATION_FLAGS), ("control", _CONTROL_FLAGS)):
            row += _flags(columns[name][index], flags)
        rows.append(row)
    return header, rows


def _flags(value: str, flags: dict) -> list[str]:
    if value in (hy.TOP, hy.MISSING):
        return [""] * len(flags)
    present = set(value.split(";"))
    return ["1" if code in present else "0" for code in flags]
