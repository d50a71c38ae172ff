"""Name normalisation for name search (matching people is haven.linkage's job)."""

import unicodedata

from anyascii import anyascii


def fold(text: str) -> str:
    """Lower-case, strip accents and Arabic diacritics, squeeze spaces; keep the script."""
    text = unicodedata.normalize("NFKD", text or "")
    kept = "".join(ch for ch in text if not unicodedata.combining(ch))
    # Arabic letter variants that people write interchangeably.
    kept = kept.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه"}))
    kept = kept.replace("\u0640", "")  # tatweel
    return " ".join(kept.casefold().split())


def search_key(*names: str) -> str:
    """What a name search matches against: the folded names and their Latin transliteration."""
    folded = fold(" ".join(n for n in names if n))
    latin = " ".join(anyascii(folded).casefold().split())
    return folded if latin == folded else f"{folded} | {latin}"
