"""What a record to be matched can and cannot be used for, said in words a person can act on.

Errors stop a lookup (nothing to match on, a value far too long); notes say where matching
works with less (a one-letter name, a date that cannot exist, two scripts in one field).
"""

from dataclasses import dataclass, field

from haven.linkage import dates
from haven.linkage.normalise import tokens
from haven.linkage.scripts import script_of

MAX_FIELD_LENGTH = 200
NAME_FIELDS = ("given_name", "family_name")


@dataclass
class Check:
    errors: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_record(record: dict) -> Check:
    check = Check()
    for name, value in record.items():
        if isinstance(value, str) and len(value) > MAX_FIELD_LENGTH:
            check.errors[name] = (
                f"Too long: {len(value)} characters; at most {MAX_FIELD_LENGTH} are used for "
                "matching."
            )
    letters = {
        name: sum(len(t) for t in tokens(str(record.get(name) or ""))) for name in NAME_FIELDS
    }
    if not any(letters.values()) and not check.errors:
        check.errors["given_name"] = "Give at least a given or a family name to look for matches."
    for name in NAME_FIELDS:
        value = str(record.get(name) or "")
        if letters[name] == 1:
            check.notes[name] = "One letter only: this name weighs little in the match."
        if script_of(value) == "mixed":
            check.notes[name] = (
                "Written in more than one script: each part is compared in its own script."
            )
    raw_date = record.get("birth_date")
    if raw_date:
        parsed = dates.parse(raw_date)
        if parsed.precision == dates.INVALID:
            check.notes["birth_date"] = (
                f"{raw_date} is not a date that exists; it is compared by its year and digit "
                "by digit."
            )
        elif parsed is dates.MISSING:
            check.notes["birth_date"] = (
                f"{raw_date!r} is not read as a date (use YYYY-MM-DD, YYYY, or ~YYYY for an "
                "estimate); matching goes on without it."
            )
    return check
