"""Varied people for benchmarks that register through the real actions: names in several
scripts, both sexes, birth dates over 60 years, every programme."""

from datetime import date, timedelta

from haven.site.demo import NAMES, PROGRAMME_VULNERABILITIES

PROGRAMMES = list(PROGRAMME_VULNERABILITIES)


def person(index: int) -> dict:
    given, family, script, sex, nationality, language = NAMES[index % len(NAMES)]
    programme = PROGRAMMES[index % len(PROGRAMMES)]
    born = date(1960, 1, 1) + timedelta(days=(index * 7919) % 21900)
    return {
        "person": {
            "given_name": given,
            "family_name": f"{family} {index % 97}",
            "original_script_name": script,
            "sex": sex,
            "birth_date": born,
            "nationalities": [nationality],
            "languages": [language],
        },
        "case": {
            "programme": programme,
            "vulnerabilities": PROGRAMME_VULNERABILITIES[programme][:1],
            "risk_level": "medium",
            "summary": "Registered at the border post; follow up within the week.",
        },
    }
