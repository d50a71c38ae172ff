"""Assisted voluntary return, step by step: the steps in their order, each with its
checklist (items marked required must be ticked to complete the step) and the details it
records. Plain data and plain checks; the actions apply them."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    required: bool = True


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    items: tuple[Item, ...]
    # Details the step records: code -> (label, kind) with kind "date", "text" or "bool".
    details: tuple[tuple[str, str, str], ...] = ()


STEPS = (
    Step(
        "counselling",
        _("Counselling and the person's decision"),
        (
            Item("informed_conditions", _("Informed about the situation in the country of return")),
            Item("informed_assistance", _("Informed about the assistance before and after return")),
            Item("informed_withdrawal", _("Told they may change their mind at any step")),
            Item("own_language", _("Counselled in a language they understand")),
            Item("voluntary", _("The person decided freely, without pressure, to return")),
        ),
        (("decided_on", _("Date of the decision"), "date"),),
    ),
    Step(
        "travel_documents",
        _("Travel documents"),
        (
            Item("nationality_confirmed", _("Nationality confirmed with the consular authority")),
            Item("document_issued", _("Travel document issued")),
            Item("exit_clearance", _("Exit clearance obtained, where needed"), required=False),
        ),
        (
            ("document_kind", _("Kind of document"), "text"),
            ("issued_on", _("Issued on"), "date"),
        ),
    ),
    Step(
        "fitness_to_travel",
        _("Fitness to travel and medical escort"),
        (
            Item("medical_check", _("Found fit to travel by a health worker")),
            Item("escort_arranged", _("Medical escort arranged, if one is needed"), False),
        ),
        (("medical_escort", _("Needs a medical escort"), "bool"),),
    ),
    Step(
        "movement",
        _("Movement"),
        (
            Item("itinerary_confirmed", _("Itinerary confirmed with the person")),
            Item("transit_assistance", _("Assistance arranged at transit points"), False),
            Item("escort_arranged", _("Escort arranged, if one is needed"), False),
        ),
        (
            ("itinerary", _("Itinerary"), "text"),
            ("transit_points", _("Transit points"), "text"),
            ("escort", _("Escort"), "text"),
            ("departed_on", _("Departed on"), "date"),
        ),
    ),
    Step(
        "arrival",
        _("Arrival and reception"),
        (
            Item("met_on_arrival", _("Met on arrival")),
            Item("onward_transport", _("Onward transport to the final destination"), False),
        ),
        (
            ("arrived_on", _("Arrived on"), "date"),
            ("received_by", _("Received by"), "text"),
        ),
    ),
    Step(
        "post_arrival",
        _("Post-arrival assistance"),
        (
            Item("immediate_needs", _("Immediate needs met (shelter, food, health)")),
            Item("reintegration_referral", _("Referred for reintegration assistance"), False),
        ),
    ),
)

BY_CODE = {step.code: step for step in STEPS}
ORDER = [step.code for step in STEPS]
# The step that records the person's own decision to return.
DECISION = ORDER[0]


def missing_items(step: Step, checklist: dict, details: dict) -> list[Item]:
    """Required items not ticked. A medical escort, once the person needs one, is required."""
    required = [item for item in step.items if item.required]
    if step.code == "fitness_to_travel" and details.get("medical_escort"):
        required += [item for item in step.items if item.code == "escort_arranged"]
    return [item for item in required if not checklist.get(item.code)]


def next_open(done: set[str]) -> str | None:
    """The first step not done yet (None once all are)."""
    return next((code for code in ORDER if code not in done), None)


def clean_details(step: Step, details: dict) -> tuple[dict, list[str]]:
    """The step's own details, each of its kind (dates as YYYY-MM-DD), and the labels of
    the dates that are not dates."""
    cleaned, bad_dates = {}, []
    for code, label, kind in step.details:
        value = details.get(code)
        if value in (None, ""):
            continue
        if kind == "bool":
            cleaned[code] = value in (True, "true", "on", "1", 1)
        elif kind == "date":
            try:
                day = value if isinstance(value, date) else date.fromisoformat(str(value))
            except ValueError:
                bad_dates.append(str(label))
                continue
            cleaned[code] = day.isoformat()
        else:
            cleaned[code] = str(value).strip()[:1000]
    return cleaned, bad_dates


def earlier_open(code: str, done: set[str]) -> str | None:
    """The first step before `code` that is not done yet, if any."""
    for earlier in ORDER[: ORDER.index(code)]:
        if earlier not in done:
            return earlier
    return None
