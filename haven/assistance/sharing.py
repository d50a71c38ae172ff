"""What a referral may share about the person and the case: the referring caseworker picks
the fields (minimum necessary); they are copied, encrypted, when the referral is made, and
the receiving side sees those and nothing else."""

from django.utils.translation import gettext_lazy as _

from haven.core.reference import country_name, language_name


def _phone(case) -> str:
    contact = case.person.contacts.filter(kind="phone", safe_to_contact=True).first()
    return contact.value if contact else ""


SHAREABLE = {
    "name": (_("Name"), lambda case: case.person.full_name()),
    "original_script_name": (
        _("Name in original script"),
        lambda case: case.person.original_script_name,
    ),
    "sex": (_("Sex"), lambda case: str(case.person.get_sex_display())),
    "age": (_("Age"), lambda case: "" if case.person.age() is None else str(case.person.age())),
    "birth_date": (
        _("Date of birth"),
        lambda case: case.person.birth_date.isoformat() if case.person.birth_date else "",
    ),
    "nationalities": (
        _("Nationalities"),
        lambda case: ", ".join(country_name(c) for c in case.person.nationalities),
    ),
    "languages": (
        _("Languages"),
        lambda case: ", ".join(language_name(c) for c in case.person.languages),
    ),
    "phone": (_("Phone (safe to contact)"), _phone),
    "vulnerabilities": (
        _("Vulnerabilities"),
        lambda case: ", ".join(
            str(dict(case.VULNERABILITY_CHOICES).get(v, v)) for v in case.vulnerabilities
        ),
    ),
    "risk_level": (_("Risk level"), lambda case: str(case.get_risk_level_display())),
}


def snapshot(case, fields: list[str]) -> dict[str, str]:
    """The chosen fields' values now, by field code."""
    return {name: SHAREABLE[name][1](case) for name in fields}
