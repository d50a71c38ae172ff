"""Countries and languages by name in the user's language: the lists the pickers offer,
and the codes the names a person typed stand for ("Syrie", "سوريا", "Syria" and "SY" are
all SY). Names come from pycountry's own translations of ISO 3166 and ISO 639."""

import gettext
import unicodedata
from functools import lru_cache

import pycountry

# Languages without a two-letter code that migrants often speak: offered beside the 184
# languages that have one.
EXTRA_LANGUAGES = (
    "prs",  # Dari
    "apd",  # Sudanese Arabic
    "arz",  # Egyptian Arabic
    "ary",  # Moroccan Arabic
    "apc",  # Levantine Arabic
    "tig",  # Tigre
    "byn",  # Bilin
    "mnk",  # Mandinka
    "snk",  # Soninke
    "dyu",  # Dyula
    "kri",  # Krio
    "pcm",  # Nigerian Pidgin
    "fuv",  # Nigerian Fulfulde
    "rhg",  # Rohingya
    "ckb",  # Central Kurdish (Sorani)
    "kmr",  # Northern Kurdish (Kurmanji)
    "hne",  # Chhattisgarhi
    "skr",  # Saraiki
)


def fold(text: str) -> str:
    """For matching what was typed: no case, no accents or vowel marks, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("ـ", "").split())


@lru_cache(maxsize=16)
def _catalogue(domain: str, language: str):
    return gettext.translation(
        domain, pycountry.LOCALES_DIR, languages=[language.split("-")[0]], fallback=True
    )


@lru_cache(maxsize=8)
def countries(language: str) -> tuple[tuple[str, str], ...]:
    """(code, name in `language`) for every country, sorted by that name."""
    names = _catalogue("iso3166-1", language)
    rows = [(c.alpha_2, _country_name(c, names)) for c in pycountry.countries]
    return tuple(sorted(rows, key=lambda row: fold(row[1])))


def _country_name(country, names) -> str:
    """The short name ("Syria") where the catalogue translates it, else the official one."""
    common = getattr(country, "common_name", None)
    if common and names.gettext(common) != common:
        return names.gettext(common)
    translated = names.gettext(country.name)
    if translated != country.name or not common:
        return translated
    return common


@lru_cache(maxsize=8)
def languages(language: str) -> tuple[tuple[str, str], ...]:
    """(ISO 639-3 code, name in `language`) for the languages offered, sorted by name."""
    names = _catalogue("iso639-3", language)
    rows = [
        (lang.alpha_3, names.gettext(lang.name))
        for lang in pycountry.languages
        if hasattr(lang, "alpha_2") or lang.alpha_3 in EXTRA_LANGUAGES
    ]
    return tuple(sorted(rows, key=lambda row: fold(row[1])))


@lru_cache(maxsize=2)
def _lookup(kind: str) -> dict[str, str]:
    """Every way of writing each code that a person may type, folded. Codes come first ("en"
    is English, not the language named "En"); then the names in each language Haven
    speaks, then the English official and common names."""
    from django.conf import settings

    table: dict[str, str] = {}
    if kind == "country":
        entries = list(pycountry.countries)
        codes = [(c.alpha_2, (c.alpha_2, c.alpha_3)) for c in entries]
        english = [
            (
                c.alpha_2,
                (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)),
            )
            for c in entries
        ]
        listed = [row for code, _label in settings.LANGUAGES for row in countries(code)]
    else:
        entries = list(pycountry.languages)
        codes = [(lang.alpha_3, (getattr(lang, "alpha_2", None), lang.alpha_3)) for lang in entries]
        english = [(lang.alpha_3, (lang.name,)) for lang in entries]
        listed = [row for code, _label in settings.LANGUAGES for row in languages(code)]
    for code, spellings in codes:
        for spelling in spellings:
            if spelling:
                table.setdefault(fold(spelling), code)
    for code, name in listed:
        table.setdefault(fold(name), code)
    for code, spellings in english:
        for spelling in spellings:
            if spelling:
                table.setdefault(fold(spelling), code)
    return table


def resolve(kind: str, text: str) -> str | None:
    """The code a typed country or language stands for, or None when it is none."""
    return _lookup(kind).get(fold(text))


def name_of(kind: str, code: str, language: str) -> str:
    for known, name in countries(language) if kind == "country" else languages(language):
        if known == code:
            return name
    return code
