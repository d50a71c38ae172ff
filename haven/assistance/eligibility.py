"""Whether a service point takes this person: age, sex, nationality, vulnerability."""

from django.utils.translation import gettext as _

from haven.core.reference import country_name


def refusal(point, case) -> str:
    """Why the point does not take the person of this case, or "" when it does."""
    person = case.person
    age = person.age()
    if age is not None and point.min_age is not None and age < point.min_age:
        return _("%(point)s serves people aged %(min)s or more.") % {
            "point": point,
            "min": point.min_age,
        }
    if age is not None and point.max_age is not None and age > point.max_age:
        return _("%(point)s serves people aged up to %(max)s.") % {
            "point": point,
            "max": point.max_age,
        }
    if point.sexes and person.sex not in point.sexes:
        return _("%(point)s does not serve people of this sex.") % {"point": point}
    if point.nationalities and not set(person.nationalities) & set(point.nationalities):
        names = ", ".join(country_name(c) for c in point.nationalities)
        return _("%(point)s serves nationals of %(names)s only.") % {
            "point": point,
            "names": names,
        }
    if point.vulnerabilities and not set(case.vulnerabilities) & set(point.vulnerabilities):
        return _("%(point)s does not serve this case's vulnerability categories.") % {
            "point": point
        }
    return ""
