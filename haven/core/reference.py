"""Reference lists: countries (ISO 3166-1 alpha-2) and languages (ISO 639-3) from pycountry;
the UN M49 sub-region and region of each country from countryinfo."""

from functools import lru_cache

import pycountry


@lru_cache(maxsize=1)
def country_choices() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda c: c[1])


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _ in country_choices())


def is_country(code: str) -> bool:
    return code in _country_codes()


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


def normalise_language(code: str) -> str | None:
    """Return the ISO 639-3 code for a 639-1 or 639-3 code, or None when unknown."""
    code = (code or "").strip().lower()
    if len(code) == 2:
        lang = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        lang = pycountry.languages.get(alpha_3=code)
    else:
        lang = None
    return lang.alpha_3 if lang else None


def language_name(code: str) -> str:
    lang = pycountry.languages.get(alpha_3=code)
    return lang.name if lang else code


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    """ISO 4217 currency codes."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


@lru_cache(maxsize=512)
def country_regions(code: str) -> tuple[str, str]:
    """The UN geoscheme sub-region and region of a country ("Western Asia", "Asia");
    empty strings for a code without one (e.g. Antarctica) or unknown."""
    from countryinfo import CountryInfo

    try:
        info = CountryInfo(code)
        return info.subregion() or "", info.region() or ""
    except Exception:  # noqa: BLE001 - not a country it knows
        return "", ""


def region_tree(codes) -> dict[str, str | None]:
    """Countries → sub-regions → regions, as a parent map for a hierarchy."""
    parents: dict[str, str | None] = {}
    for code in codes:
        subregion, region = country_regions(code)
        chain = [part for part in (code, subregion, region) if part]
        chain = [part for i, part in enumerate(chain) if part not in chain[:i]]
        for child, parent in zip(chain, [*chain[1:], None], strict=True):
            parents.setdefault(child, parent)
    return parents
