"""Other forms of a given name: nicknames and short forms ("Bill" for William, "Ned" for
Edward, "Md" for Muhammad).

Two names are forms of one name when one's other forms meet the other's parts or other
forms (by consonant skeleton): a name's other forms are every name it is a known nickname
or short form of. English
forms come from the `nicknames` package (a hand-curated list); the abbreviations of
Muhammad that registrations in South and South-East Asia use are written here. A name
with no known other form has none: it is then compared by its spelling alone.
"""

from functools import lru_cache

from haven.linkage.normalise import tokens
from haven.linkage.scripts import skeleton

# Written abbreviations, not nicknames: each stands for one name only.
ABBREVIATIONS = {
    "md": "muhammad",
    "mohd": "muhammad",
    "muhd": "muhammad",
    "mhd": "muhammad",
    "mohd.": "muhammad",
}


@lru_cache(maxsize=1)
def _canonical_lookup() -> dict[str, set[str]]:
    from nicknames import NickNamer

    return NickNamer().canonical_lookup


@lru_cache(maxsize=100_000)
def _key(name: str) -> str:
    # A skeleton of one consonant ("Al", "Ed") would meet far too many names: such a name
    # stands for itself.
    shape = skeleton(name)
    return shape if len(shape) >= 2 else f"={name}"


@lru_cache(maxsize=100_000)
def _token_forms(token: str) -> frozenset[str]:
    full = set(_canonical_lookup().get(token, ()))
    if token in ABBREVIATIONS:
        full.add(ABBREVIATIONS[token])
    if not full:
        return frozenset()
    return frozenset(_key(name) for name in full | {token})


def name_forms(text: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """(keys of the other forms of the name's parts, keys of the parts themselves); the
    first is empty when no part has another known form."""
    parts = tokens(text)
    own = frozenset(_key(part) for part in parts)
    found = frozenset().union(*(_token_forms(part) for part in parts))
    return found - own, own
