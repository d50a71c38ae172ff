"""Name normalisation: case, diacritics, punctuation, honorifics, particles and name order.

Every function here is idempotent: normalising a normalised name changes nothing, so the
engine can normalise at every entry point without tracking what was done before.
"""

import re
import unicodedata

# Titles, honorifics, ranks and generational suffixes carry no identity; they come and go
# between registrations. Words that are also names ("Sayed", "Imam", "Haji", "Earl") are not
# on the list.
HONORIFICS = frozenset(
    """
    mr mrs ms miss mme mlle dr prof sir dame lady lord madam madame monsieur sr sra srta
    sheikh shaikh sheik cheikh hajji hadji hajj hajja hajjah mullah mulla ustadh ustaz
    rev revd rt hon esq bt bart baronet jr jnr snr capt cpt col maj gen lt sgt cpl
    شيخ الشيخ
    """.split()  # noqa: SIM905
)
# "1st", "11th": a peer's or a monarch's number, written beside or instead of a name.
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")


def _is_title(part: str) -> bool:
    return part in HONORIFICS or bool(_ORDINAL.match(part))


def only_titles(text: str | None) -> bool:
    """Whether the text holds titles and nothing else ("Sir", "Dr", "6th Bt.")."""
    parts = fold(text).split()
    return bool(parts) and all(_is_title(part) for part in parts)


# Particles that join a name to a clan, place or parent; spelled, spaced and kept
# inconsistently ("al-Hassan", "El Hassan", "Hassan"), so they are dropped for matching.
PARTICLES = frozenset(
    """
    al el ul ol il an ar as ash at ad az ath adh bin ben ibn bint bent ould wuld walad
    van von der den de da di del della des du la le dos das do ter zu
    """.split()  # noqa: SIM905
)

# "Abd al-Rahman", "Abdulrahman", "Abdel Rahman", "Abdurrahman" are one name.
_ABD = re.compile(r"\b(abd)(?:[aeiou][lnrstdz] ?| )(?=[a-z])")
# "Abu Bakr" / "Aboubakar": keep the particle joined to what follows, since it is part of the name.
_ABU = re.compile(r"\b(abou|abu|abo)[- ]+(?=[a-z])")
# "Alhassan", "Elkhatib", "Attamimi", "Errifai": the article written onto the name.
_JOINED_ARTICLE = re.compile(r"^(?:[ae]l(?=[^aeiouy])|[ae]([tdrzsn])(?=\1))(?=[a-z]{4,}$)")
_SEPARATORS = re.compile(r"[\s\-_.,;:/\\|()\[\]{}\"'`‘’“”«»·]+")
_ARABIC_PREFIX = "ال"


def fold(text: str | None) -> str:
    """Lower case, no diacritics or Arabic short vowels, Arabic letter variants unified."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", str(text))
    kept = "".join(ch for ch in text if not unicodedata.combining(ch))
    kept = kept.translate(_ARABIC_VARIANTS).replace("\u0640", "")  # tatweel
    kept = kept.replace("ß", "ss").replace("ø", "o").replace("đ", "d").replace("ł", "l")
    kept = kept.replace("æ", "ae").replace("œ", "oe").replace("ı", "i")
    return " ".join(_SEPARATORS.sub(" ", kept.casefold()).split())


_ARABIC_VARIANTS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian yeh
        "ک": "ك",  # Persian kaf
        "ۀ": "ه",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
    }
)


def tokens(text: str | None) -> list[str]:
    """The name's meaningful parts: folded, without honorifics and particles.

    A name made only of particles ("El") keeps them, so it is not turned into nothing.
    """
    folded = fold(text)
    if not folded:
        return []
    folded = _ABU.sub(r"\1", _ABD.sub(r"\1 ", folded))
    parts = [p for p in folded.split() if not _is_title(p)] or folded.split()
    meaningful = []
    for part in parts:
        if part in PARTICLES:
            continue
        while part.startswith(_ARABIC_PREFIX) and len(part) > 3:
            part = part[2:]
        part = _JOINED_ARTICLE.sub("", part)
        meaningful.append(part)
    return meaningful or parts


def normalise(text: str | None) -> str:
    """One canonical spelling of a name for exact comparison."""
    return " ".join(tokens(text))


def ordered_key(*names: str | None) -> str:
    """Order-free key: 'Amal Haddad' and 'HADDAD, Amal' give the same key."""
    return " ".join(sorted(t for name in names for t in tokens(name)))
