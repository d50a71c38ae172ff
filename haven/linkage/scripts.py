"""Names across scripts: Latin spellings of Arabic-script names and a consonant skeleton.

Arabic script writes no short vowels, and Latin spellings of one Arabic name differ mostly
in vowels and in how a few consonants are rendered ("Mohamed", "Muhammad", "Mohammed" for
محمد). So a name in any script is reduced to a skeleton of consonant classes that both
writings share, and an Arabic-script name is also spelled out in a few plausible Latin
ways for the string-similarity levels. Other non-Latin scripts go through anyascii (ISC).
"""

import re
from functools import lru_cache

from anyascii import anyascii

from haven.linkage.normalise import tokens

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN_LETTER = re.compile("[a-z]")

# Arabic letter -> (skeleton class, Latin in the "scholarly" style, Latin in the French style).
# The skeleton class is the letter every common romanisation agrees on; "" means the letter
# is usually not written in Latin (ayn, hamza) or is a vowel carrier (alef, waw, yeh).
_LETTERS = {
    "ب": ("b", "b", "b"),
    "ت": ("t", "t", "t"),
    "ث": ("t", "th", "t"),
    "ج": ("j", "j", "dj"),
    "ح": ("h", "h", "h"),
    "خ": ("k", "kh", "kh"),
    "د": ("d", "d", "d"),
    "ذ": ("d", "dh", "d"),
    "ر": ("r", "r", "r"),
    "ز": ("s", "z", "z"),
    "س": ("s", "s", "s"),
    "ش": ("s", "sh", "ch"),
    "ص": ("s", "s", "s"),
    "ض": ("d", "d", "d"),
    "ط": ("t", "t", "t"),
    "ظ": ("s", "z", "z"),
    "ع": ("", "", ""),
    "غ": ("j", "gh", "gh"),
    "ف": ("f", "f", "f"),
    "ق": ("k", "q", "k"),
    "ك": ("k", "k", "k"),
    "ل": ("l", "l", "l"),
    "م": ("m", "m", "m"),
    "ن": ("n", "n", "n"),
    "ه": ("h", "h", "h"),
    "ء": ("", "", ""),
    "پ": ("b", "p", "p"),
    "چ": ("s", "ch", "tch"),
    "ژ": ("s", "zh", "j"),
    "گ": ("j", "g", "g"),
}
# Letters that are vowels or semivowels: (scholarly, French) renderings.
_VOWEL_LETTERS = {"ا": ("a", "a"), "و": ("u", "ou"), "ي": ("i", "i")}
_SHORT_VOWEL = ("a", "e")

# Latin spellings reduced to the same consonant classes as the Arabic letters above.
_LATIN_DIGRAPHS = [
    ("tch", "s"),
    ("dj", "j"),
    ("kh", "k"),
    ("gh", "j"),
    ("sh", "s"),
    ("ch", "s"),
    ("th", "t"),
    ("dh", "d"),
    ("zh", "s"),
    ("ph", "f"),
    ("ck", "k"),
]
_LATIN_SINGLE = str.maketrans(
    {"q": "k", "c": "k", "g": "j", "z": "s", "v": "f", "p": "b", "x": "k"}
)
_VOWELS = re.compile("[aeiou]")


def script_of(text: str | None) -> str:
    """'arabic', 'latin', 'other', 'mixed' or '' for no letters at all."""
    if not text:
        return ""
    has_arabic = bool(_ARABIC.search(text))
    rest = _ARABIC.sub("", text)
    has_latin = any(ch.isalpha() and ch.isascii() for ch in rest) or any(
        ch.isalpha() and anyascii(ch).isalpha() and _is_latin(ch) for ch in rest
    )
    has_other = any(ch.isalpha() and not ch.isascii() and not _is_latin(ch) for ch in rest)
    kinds = [k for k, present in (("arabic", has_arabic), ("latin", has_latin)) if present]
    if has_other:
        kinds.append("other")
    if not kinds:
        return ""
    return kinds[0] if len(kinds) == 1 else "mixed"


def _is_latin(ch: str) -> bool:
    # Accented Latin letters (é, ç, ğ) fold to ASCII letters of themselves.
    return ch.isascii() or ("LATIN" in _unicode_name(ch))


def _unicode_name(ch: str) -> str:
    import unicodedata

    return unicodedata.name(ch, "")


def _arabic_token_spellings(token: str) -> tuple[str, str]:
    """Two Latin spellings of one Arabic-script token: scholarly and French-style."""
    spelled = ["", ""]
    letters = [ch for ch in token if ch in _LETTERS or ch in _VOWEL_LETTERS]
    for i, ch in enumerate(letters):
        last = i == len(letters) - 1
        nxt = letters[i + 1] if not last else ""
        if ch in _VOWEL_LETTERS:
            initial_consonant = i == 0 and ch != "ا"
            for style in (0, 1):
                if initial_consonant:
                    spelled[style] += "y" if ch == "ي" else "w"
                else:
                    spelled[style] += _VOWEL_LETTERS[ch][style]
            continue
        if ch == "ه" and last and i > 0:
            # A final heh is mostly a taa marbuta: "Fatima", "Aisha".
            spelled[0] += "a"
            spelled[1] += "a"
            continue
        before_final_heh = nxt == "ه" and i == len(letters) - 2
        for style in (0, 1):
            spelled[style] += _LETTERS[ch][style + 1]
            # Guess a short vowel where the script writes none (the ayn carries one too).
            guess = not last and nxt not in _VOWEL_LETTERS and not before_final_heh
            if guess and (_LETTERS[ch][0] or i == 0):
                spelled[style] += _SHORT_VOWEL[style]
    return spelled[0], spelled[1]


@lru_cache(maxsize=200_000)
def latin_variants(text: str | None) -> tuple[str, ...]:
    """Plausible Latin spellings of a name, most likely first; one for Latin names."""
    parts = _distinct_parts(tokens(text))
    if not parts:
        return ()
    first, second = [], []
    for part in parts:
        if _ARABIC.search(part):
            a, b = _arabic_token_spellings(part)
        else:
            a = b = _to_latin(part)
        first.append(a)
        second.append(b)
    spellings = (" ".join(first), " ".join(second))
    return spellings[:1] if spellings[0] == spellings[1] else spellings


def _to_latin(token: str) -> str:
    if token.isascii():
        return token
    return "".join(ch for ch in anyascii(token).casefold() if ch.isalnum())


def _latin_token_skeleton(token: str) -> str:
    token = "".join(ch for ch in token if _LATIN_LETTER.match(ch))
    for digraph, single in _LATIN_DIGRAPHS:
        token = token.replace(digraph, single)
    token = token.translate(_LATIN_SINGLE)
    head, tail = token[:1], token[1:]
    if head in "aeiou":
        head = ""
    consonants = head + _VOWELS.sub("", tail).replace("y", "").replace("w", "")
    if consonants.endswith("h") and len(consonants) > 1:
        consonants = consonants[:-1]
    return _squeeze(consonants)


def _arabic_token_skeleton(token: str) -> str:
    letters = [ch for ch in token if ch in _LETTERS or ch in _VOWEL_LETTERS]
    out = []
    for i, ch in enumerate(letters):
        if ch in _VOWEL_LETTERS:
            if i == 0 and ch != "ا":
                out.append("y" if ch == "ي" else "w")
            continue
        if ch in "هح" and i == len(letters) - 1 and i > 0:
            # Latin spellings drop a final h as often as they write it ("Fatima(h)").
            continue
        out.append(_LETTERS[ch][0])
    return _squeeze("".join(out))


def _squeeze(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


@lru_cache(maxsize=200_000)
def skeleton(text: str | None) -> str:
    """Consonant classes of a name, the same for its Arabic-script and Latin writings."""
    return "".join(_token_skeleton(part) for part in _distinct_parts(tokens(text)))


def _token_skeleton(part: str) -> str:
    if _ARABIC.search(part):
        return _arabic_token_skeleton(part)
    return _latin_token_skeleton(_to_latin(part))


def _distinct_parts(parts: list[str]) -> list[str]:
    """Drop a part that repeats the one before in another script ("Mohamed محمد")."""
    kept: list[str] = []
    for part in parts:
        if kept and _token_skeleton(part) == _token_skeleton(kept[-1]):
            continue
        kept.append(part)
    return kept


def token_skeletons(text: str | None) -> tuple[str, ...]:
    """The skeleton of each part of a name, for order-free comparisons."""
    return tuple(s for s in (_token_skeleton(t) for t in _distinct_parts(tokens(text))) if s)
