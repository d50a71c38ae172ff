"""The answer to a subject-access request: everything gathered, less what the rules and the
officer's decisions withhold, as a readable PDF in the person's language and as JSON, in one
encrypted archive.

What a third party said or is: another person's identity (a relative, a person a tracing
match names, the other record of a possible duplicate, the person a tracing request seeks),
who reported a misconduct allegation (and the staff member it names) and, where the law
allows it, staff members' notes are withheld by `RULES`. The officer sees each item a rule
withholds and may release it with a reason, and may withhold any other record with a reason
(`Withholding`). Withheld items stay in the answer as "withheld" with the reason, never
silently dropped.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from haven.core.archives import sealed_zip
from haven.core.pdf import pdf_from_html
from haven.oversight import answer_parts, subject_records
from haven.oversight.models import SubjectRequest, Withholding

THIRD_PARTY = "third_party"
REPORTER = "reporter"
STAFF_NOTE = "staff_note"
RULES = {
    THIRD_PARTY: _("Another person's identity"),
    REPORTER: _("Who reported a misconduct allegation, and the staff member it names"),
    STAFF_NOTE: _("A staff member's note, where the law allows withholding it"),
}


def active_rules() -> dict:
    """The rules in force: staff members' notes only where the agency's law allows it
    (`HAVEN_SUBJECT_WITHHOLD_STAFF_NOTES`)."""
    if settings.HAVEN_SUBJECT_WITHHOLD_STAFF_NOTES:
        return RULES
    return {code: label for code, label in RULES.items() if code != STAFF_NOTE}


_SOUGHT = ("given_name", "family_name", "other_names", "original_script_name", "birth_date")


def _relationship(row, persons) -> dict[str, str]:
    return {"relative" if row.person_id in persons else "person": THIRD_PARTY}


def _match(row, persons) -> dict[str, str]:
    if row.person_id in persons:  # sought by someone else: the enquirer is the third party
        return {"request": THIRD_PARTY}
    return {"person": THIRD_PARTY, "explanation": THIRD_PARTY}


def _duplicate(row, persons) -> dict[str, str]:
    other = "second" if row.first_id in persons else "first"
    return {other: THIRD_PARTY, "explanation": THIRD_PARTY}


def _tracing_request(row, persons) -> dict[str, str]:
    return dict.fromkeys(_SOUGHT, THIRD_PARTY)


def _submission(row, persons) -> dict[str, str]:
    if row.category != "misconduct":
        return {}
    return {"contact_name": REPORTER, "contact": REPORTER, "subject": REPORTER}


def _note(row, persons) -> dict[str, str]:
    return {"body": STAFF_NOTE} if settings.HAVEN_SUBJECT_WITHHOLD_STAFF_NOTES else {}


# The fields each rule withholds in a record of a kind: {field name: rule}.
WITHHELD_BY_RULE: dict[str, Callable[..., dict[str, str]]] = {
    "people.Relationship": _relationship,
    "tracing.PotentialMatch": _match,
    "tracing.DuplicatePair": _duplicate,
    "tracing.TracingRequest": _tracing_request,
    "feedback.Submission": _submission,
    "cases.Note": _note,
}


@dataclass
class Item:
    """One field of one record as the answer gives it."""

    record: str  # "app.Model:pk"
    name: str
    label: str
    value: str
    rule: str = ""  # the rule that withholds it, if one does
    decision: Withholding | None = None

    @property
    def withheld(self) -> bool:
        if self.decision is not None and self.decision.field in ("", self.name):
            return self.decision.withhold
        return bool(self.rule)

    @property
    def reason(self) -> str:
        if self.decision is not None and self.decision.field in ("", self.name):
            return self.decision.reason
        return str(RULES[self.rule]) if self.rule else ""


def items(request: SubjectRequest, gathered: subject_records.Gathered) -> dict[str, list[Item]]:
    """Every field of every gathered record, each with whether the answer withholds it and
    why: {record key: items}."""
    persons = {r.pk for r in _records(gathered, "people.Person")}
    decisions = {(d.record, d.field): d for d in request.withholdings.all()}
    out: dict[str, list[Item]] = {}
    for section in gathered.sections:
        rules = WITHHELD_BY_RULE.get(section.source.label)
        for record in section.records:
            by_rule = rules(record.row, persons) if rules else {}
            out[record.key] = [
                Item(
                    record.key,
                    f.name,
                    f.label,
                    f.value,
                    by_rule.get(f.name, ""),
                    decisions.get((record.key, f.name)) or decisions.get((record.key, "")),
                )
                for f in record.fields
            ]
    return out


def _records(gathered, label: str):
    return next(s.records for s in gathered.sections if s.source.label == label)


def withheld(request: SubjectRequest, gathered) -> list[Item]:
    return [
        item for fields in items(request, gathered).values() for item in fields if item.withheld
    ]


def answer(request: SubjectRequest) -> dict:
    """The answer as data, in the request's language: what is held (withheld items marked,
    with the reason), who changed and who saw it, exports and releases."""
    with translation.override(request.language):
        gathered = subject_records.gather(request.person)
        given = items(request, gathered)
        withheld_text = str(_("withheld"))
        sections = [
            {
                "title": str(section.source.title),
                "records": [
                    {
                        item.label: f"[{withheld_text}: {item.reason}]"
                        if item.withheld
                        else item.value
                        for item in given[record.key]
                    }
                    for record in section.records
                ],
            }
            for section in gathered.sections
            if section.records
        ]

        def activity(entries):
            return [
                {"when": e.when.isoformat(), "who": e.who, "what": e.what, "record": e.record}
                for e in entries
            ]

        return {
            "request": {
                "kind": request.get_kind_display(),
                "received_on": request.received_on.isoformat(),
                "answered_on": timezone.localdate().isoformat(),
                "language": request.language,
            },
            "person": str(request.person),
            "held": sections,
            "changes": activity(gathered.changes),
            "views": activity(gathered.views),
            "identified_exports": activity(gathered.identified_exports),
            "deidentified_releases": gathered.deidentified_releases,
            "withheld": _withheld_list(gathered, given),
        }


def _withheld_list(gathered, given: dict[str, list[Item]]) -> list[dict]:
    """What was withheld and why: a record withheld whole is named once."""
    out = []
    for section in gathered.sections:
        for record in section.records:
            name = f"{section.source.title} {record.pk}"
            whole = [
                i for i in given[record.key] if i.withheld and i.decision and not i.decision.field
            ]
            if whole:
                out.append({"record": name, "field": "", "reason": whole[0].reason})
                continue
            out.extend(
                {"record": name, "field": i.label, "reason": i.reason}
                for i in given[record.key]
                if i.withheld
            )
    return out


def answer_html(request: SubjectRequest, data: dict) -> str:
    """The readable answer as HTML, in the request's language (right to left in Arabic):
    what the PDF is made from."""
    with translation.override(request.language):
        return render_to_string(
            "oversight/answer_pdf.html",
            {"answer": data, "rtl": translation.get_language_bidi(), "language": request.language},
        )


def _sealed(request: SubjectRequest, data: dict, password: str) -> bytes:
    return sealed_zip(
        {
            "answer.pdf": pdf_from_html(answer_html(request, data)),
            "answer.json": json.dumps(data, ensure_ascii=False, indent=1).encode(),
        },
        password,
    )


def package(request: SubjectRequest, password: str) -> tuple[bytes, int]:
    """The answer as `answer.pdf` and `answer.json` in an AES-256 encrypted ZIP, and how many
    parts it has. An answer larger than `HAVEN_SUBJECT_ANSWER_MAX_BYTES` is split, never
    cut: its records go, in order, into parts that each fit, each part a complete encrypted
    archive of its own (numbered, the same password), all in one plain ZIP."""
    data = answer(request)
    whole = _sealed(request, data, password)
    limit = settings.HAVEN_SUBJECT_ANSWER_MAX_BYTES
    if len(whole) <= limit:
        return whole, 1
    count = max(2, -(-len(whole) // limit))
    while True:
        parts = [_sealed(request, part, password) for part in answer_parts.split(data, count)]
        if all(len(part) <= limit for part in parts) or count >= answer_parts.MAX_PARTS:
            break
        count = min(answer_parts.MAX_PARTS, count * 2)
    names = {f"answer-part-{i}-of-{len(parts)}.zip": part for i, part in enumerate(parts, 1)}
    return answer_parts.bundle(names), len(parts)
