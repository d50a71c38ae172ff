"""Exports that name people: a case list with the fields chosen, and counter-trafficking
cases with the field names of IOM's Human Trafficking Case Data Standard (HTCDS). Each is
written as CSV, XLSX or JSON and sealed in a ZIP encrypted with AES-256 (readable with
7-Zip and most archive tools) under the password the requester chose."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from haven.cases.models import ClosureReason, Programme, TraffickingProfile, Vulnerability
from haven.cases.selectors import visible_cases, with_vulnerability_q
from haven.cases.workflow import Status
from haven.core.archives import sealed_zip
from haven.core.spreadsheets import csv_writer, safe_row
from haven.people.models import ConsentPurpose, Sex, age_on
from haven.people.selectors import with_consent


@dataclass(frozen=True)
class Column:
    label: str
    read: Callable
    identifying: bool = False


def _codes(values) -> str:
    return ";".join(values or [])


CASE_COLUMNS = {
    "number": Column(_("Case number"), lambda c: c.number),
    "status": Column(_("Status"), lambda c: c.status),
    "programme": Column(_("Programme"), lambda c: c.programme),
    "vulnerabilities": Column(_("Vulnerability categories"), lambda c: _codes(c.vulnerabilities)),
    "risk_level": Column(_("Risk level"), lambda c: c.risk_level),
    "office": Column(_("Office"), lambda c: c.office.name),
    "owner": Column(_("Owner"), lambda c: c.owner.get_username()),
    "registered_on": Column(_("Registered on"), lambda c: c.registered_on.isoformat()),
    "closed_on": Column(_("Closed on"), lambda c: c.closed_on.isoformat() if c.closed_on else ""),
    "closure_reason": Column(_("Closure reason"), lambda c: c.closure_reason),
    "given_name": Column(_("Given name"), lambda c: c.person.given_name, identifying=True),
    "family_name": Column(_("Family name"), lambda c: c.person.family_name, identifying=True),
    "other_names": Column(_("Other names"), lambda c: c.person.other_names, identifying=True),
    "birth_date": Column(
        _("Date of birth"),
        lambda c: c.person.birth_date.isoformat() if c.person.birth_date else "",
        identifying=True,
    ),
    "age": Column(
        _("Age at registration"),
        lambda c: "" if (a := age_on(c.person.birth_date, c.registered_on)) is None else a,
    ),
    "sex": Column(_("Sex"), lambda c: c.person.sex),
    "nationalities": Column(_("Nationalities"), lambda c: _codes(c.person.nationalities)),
    "languages": Column(_("Languages"), lambda c: _codes(c.person.languages)),
    "care_status": Column(_("Care status (children)"), lambda c: c.person.care_status),
}


def _camel(code: str) -> str:
    """HTCDS value names are Haven's codes in CamelCase: debt_bondage → DebtBondage."""
    return "".join(word.capitalize() for word in code.split("_"))


# HTCDS spells these recruitment methods as their labels.
_RECRUITMENT = {
    "educational_facility": "Educational Facility",
    "internet": "Internet (social media, online advertisement)",
    "marriage_broker": "International Marriage Broker (IMB)",
    "intimate_partner": "Intimate partner/marriage proposition",
    "job_offer": "Job offer/advertisement",
    "posing_as_benefactor": "Posing as Benefactor",
    "public_area": "Public Area",
    "offer_of_accommodation": "Offer of Accommodation",
    "smuggling": "Smuggling, ransom",
}
_GENDER = {
    Sex.FEMALE: "Female",
    Sex.MALE: "Male",
    Sex.INTERSEX: "Transgender/NonConforming",
    Sex.UNKNOWN: "Unknown",
}


def _htcds_status(case) -> str:
    if case.status == Status.CLOSED:
        referred = (ClosureReason.REFERRED, ClosureReason.TRANSFERRED)
        return "ClosedReferred" if case.closure_reason in referred else "Closed"
    return "FollowUp" if case.status == Status.FOLLOW_UP else "Active"


def _profile(case) -> TraffickingProfile:
    try:
        return case.trafficking
    except TraffickingProfile.DoesNotExist:
        return TraffickingProfile(case=case)


def _htcds_list(attribute: str, names=None):
    return lambda c: ";".join(
        (names or {}).get(v) or _camel(v) for v in getattr(_profile(c), attribute)
    )


HTCDS_COLUMNS = {
    "cas_CaseNumber": Column("cas_CaseNumber", lambda c: c.number),
    "cas_Status": Column("cas_Status", _htcds_status),
    "prs_FirstName": Column("prs_FirstName", lambda c: c.person.given_name, True),
    "prs_SecondName": Column("prs_SecondName", lambda c: c.person.family_name, True),
    "prs_Birthdate": Column(
        "prs_Birthdate",
        lambda c: c.person.birth_date.isoformat() if c.person.birth_date else "",
        True,
    ),
    "prs_Gender": Column("prs_Gender", lambda c: _GENDER.get(c.person.sex, "Unknown")),
    "prs_Nationality": Column("prs_Nationality", lambda c: (c.person.nationalities or [""])[0]),
    "vic_AgreementToManagePersonalData": Column(
        "vic_AgreementToManagePersonalData", lambda c: c.agreement
    ),
    "vic_MethodOfRecruitment": Column(
        "vic_MethodOfRecruitment", _htcds_list("recruitment", _RECRUITMENT)
    ),
    "vic_MethodsOfControl": Column("vic_MethodsOfControl", _htcds_list("means_of_control")),
    "vic_TypeOfLabourExploitation": Column(
        "vic_TypeOfLabourExploitation", _htcds_list("labour_exploitation")
    ),
    "vic_TypeOfSexExploitation": Column(
        "vic_TypeOfSexExploitation", _htcds_list("sex_exploitation")
    ),
    "vic_LocationOfExploitation": Column(
        "vic_LocationOfExploitation", lambda c: _profile(c).country_of_exploitation
    ),
}


def columns_for(kind: str) -> dict[str, Column]:
    return HTCDS_COLUMNS if kind == "htcds" else CASE_COLUMNS


def cases_for(user, kind: str, filters: dict):
    """The cases the requester may see, narrowed by the filters; counter-trafficking cases
    only for HTCDS."""
    cases = visible_cases(user).select_related("person", "office", "owner", "trafficking")
    if kind == "htcds":
        cases = cases.filter(
            Q(programme=Programme.COUNTER_TRAFFICKING)
            | with_vulnerability_q(Vulnerability.TRAFFICKING_VICTIM)
        )
    if filters.get("programme"):
        cases = cases.filter(programme=filters["programme"])
    if filters.get("status"):
        cases = cases.filter(status=filters["status"])
    return cases.order_by("registered_on", "number")


def table(cases, kind: str, fields: list[str]) -> tuple[list[str], list[list]]:
    """The header and the rows of the export."""
    cases = list(cases)
    if kind == "htcds":
        # HTCDS records the agreement to manage personal data: Haven's registration consent.
        agreed = with_consent({c.person_id for c in cases}, ConsentPurpose.REGISTRATION)
        for case in cases:
            case.agreement = "true" if case.person_id in agreed else "false"
    chosen = columns_for(kind)
    return list(fields), [[chosen[name].read(case) for name in fields] for case in cases]


def encode(header: list[str], rows: list[list], file_format: str) -> bytes:
    if file_format == "json":
        records = [dict(zip(header, row, strict=True)) for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=1).encode()
    if file_format == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet("cases")
        sheet.append(safe_row(header))
        for row in rows:
            sheet.append(safe_row(row))
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheets read UTF-8


def seal(path, member: str, data: bytes, password: str) -> None:
    """Write one file into an AES-256 encrypted ZIP."""
    path.write_bytes(sealed_zip({member: data}, password))
