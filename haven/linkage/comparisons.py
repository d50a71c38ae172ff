"""Comparisons: how two records agree on one field, as an ordered level per candidate pair.

Every comparison turns a column of raw values into prepared arrays once (`prepare`), then
gives the level of agreement for many pairs at a time (`levels`). Level 0 means "nothing to
compare" (a value is missing) and adds no weight; levels 1..K go from the strongest
agreement to plain disagreement. A comparison may give several outputs (given and family
name are compared together so that swapped names are recognised).
"""

import re
from collections.abc import Mapping, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from haven.linkage.name_forms import name_forms
from haven.linkage.normalise import fold, normalise, only_titles
from haven.linkage.scripts import latin_variants, skeleton, token_skeletons
from haven.linkage.texts import (
    VOCABULARY,
    Prepared,
    as_text,
    memoised,
    object_array,
    similarity,
)


class Comparison:
    """One field (or a group of fields compared together)."""

    outputs: tuple[str, ...]
    level_labels: tuple[tuple[str, ...], ...]
    term_frequency: tuple[bool, ...]

    def prepare(self, columns: Mapping[str, Sequence]) -> Prepared:
        raise NotImplementedError

    def levels(self, a: Prepared, b: Prepared, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Levels for pairs (a[left[i]], b[right[i]]): an int8 array, one column per output."""
        raise NotImplementedError

    def tf_values(self, prepared: Prepared, output: int) -> np.ndarray | None:
        """The value whose frequency adjusts an exact agreement, when that is asked for."""
        return None

    def m_bounds(self, output: int) -> dict[int, tuple[float, float]]:
        """Bounds on m, the share of true matches at a level (level -> (lowest, highest)):
        what is known of how records of one person differ, held whatever the data
        learnt from says (a generator that never varies a field would make its
        disagreement a veto)."""
        return {}

    def u_bounds(self, output: int) -> dict[int, tuple[float, float]]:
        """Bounds on u, the share of pairs of different people at a level: what is known of
        how often different people agree (a household shares a phone)."""
        return {}

    def default_m(self, output: int) -> np.ndarray | None:
        """m before anything is learnt (None: the engine's default, a geometric decline)."""
        return None

    def default_u(self, output: int) -> np.ndarray | None:
        """u before anything is measured (None: every level equally likely)."""
        return None


def _name_arrays(values: Sequence, prefix: str) -> Prepared:
    def one(value):
        text = as_text(value)
        variants = latin_variants(text) or ("",)
        forms, own = name_forms(text)
        return (
            normalise(text),
            variants[0],
            variants[-1],
            skeleton(text),
            token_skeletons(text),
            forms,
            own,
            forms | own,
        )

    rows = memoised(values, one)
    latin = [r[1] for r in rows]
    return {
        f"{prefix}norm": VOCABULARY.encode([r[0] for r in rows]),
        f"{prefix}latin": VOCABULARY.encode(latin),
        f"{prefix}latin2": VOCABULARY.encode([r[2] for r in rows]),
        f"{prefix}several": np.array([" " in v for v in latin], dtype=bool),
        f"{prefix}skeleton": VOCABULARY.encode([r[3] for r in rows]),
        f"{prefix}skeleton_length": np.array([len(r[3]) for r in rows], dtype=np.int16),
        f"{prefix}initial": VOCABULARY.encode([r[1][:1] for r in rows]),
        f"{prefix}parts": object_array([r[4] for r in rows]),
        f"{prefix}forms": object_array([r[5] for r in rows]),
        f"{prefix}own": object_array([r[6] for r in rows]),
        f"{prefix}has_forms": np.array([bool(r[5]) for r in rows], dtype=bool),
        # The article written onto a name that starts with a vowel ("Alali", "Elamin"),
        # which normalisation keeps (it cannot tell "Alexander" from "Al-Exander"): only
        # compared for equality, so a wrong cut ("exander") rarely meets another name.
        f"{prefix}bare": VOCABULARY.encode([_without_article(v) for v in latin]),
        # Most often a feminine ending (Ali and Alia, Amin and Amina are not one name).
        f"{prefix}ends_a": np.array([v.rstrip("h").endswith("a") for v in latin], dtype=bool),
        # For blocking: the name's parts and their other forms, a block for each.
        f"{prefix}known_as": object_array([r[7] for r in rows]),
    }


_ARTICLE_BEFORE_VOWEL = re.compile(r"^[ae]l(?=[aeiou][a-z]{2,}$)")


def _without_article(latin: str) -> str:
    return " ".join(_ARTICLE_BEFORE_VOWEL.sub("", part) for part in latin.split())


def _part_set(names: tuple[tuple[str, ...], tuple[str, ...]]) -> frozenset[str]:
    given, family = names
    return frozenset(given + family)


NAME_LEVELS = (
    "exact",
    "the same name in another spelling, script or short form",
    "very similar",
    "similar",
    "somewhat similar",
    "different",
)


SHORT_SKELETON_ALIKE = 0.75


def _name_levels(a: Prepared, b: Prepared, pa: str, pb: str, left, right) -> np.ndarray:
    """Name agreement level; the best of the Latin spellings counts across scripts."""
    norm_a, norm_b = a[f"{pa}norm"][left], b[f"{pb}norm"][right]
    missing = (norm_a == 0) | (norm_b == 0)
    exact = (norm_a == norm_b) & ~missing
    skel_a, skel_b = a[f"{pa}skeleton"][left], b[f"{pb}skeleton"][right]
    bare_a, bare_b = a[f"{pa}bare"][left], b[f"{pb}bare"][right]
    latin_a, latin_b = a[f"{pa}latin"][left], b[f"{pb}latin"][right]
    unarticled = ((bare_a != latin_a) | (bare_b != latin_b)) & (bare_a == bare_b) & (bare_a != 0)
    same_skeleton = skel_a == skel_b
    jw = similarity(a, b, f"{pa}latin", f"{pb}latin", left, right, JaroWinkler.similarity)
    second_a = a[f"{pa}latin2"][left] != a[f"{pa}latin"][left]
    second_b = b[f"{pb}latin2"][right] != b[f"{pb}latin"][right]
    other = second_a | second_b
    if other.any():
        idx = np.flatnonzero(other)
        for side_a, side_b in (("latin2", "latin"), ("latin", "latin2"), ("latin2", "latin2")):
            more = similarity(
                a,
                b,
                f"{pa}{side_a}",
                f"{pb}{side_b}",
                left[idx],
                right[idx],
                JaroWinkler.similarity,
            )
            jw[idx] = np.maximum(jw[idx], more)
    # One name inside a longer one ("Mohamed" in "Mohamed Ali") only matters for compounds.
    contained = np.zeros(len(left), dtype=bool)
    compound = np.flatnonzero(a[f"{pa}several"][left] | b[f"{pb}several"][right])
    if len(compound):
        contained[compound] = (
            similarity(
                a,
                b,
                f"{pa}latin",
                f"{pb}latin",
                left[compound],
                right[compound],
                fuzz.token_set_ratio,
            )
            >= 99.5
        )
    # A skeleton of one consonant is shared by too many names (Ali, Layla, Alia): the
    # spellings must also be alike and end alike (Dua, Doaa; Aisha, Ayesha).
    short = a[f"{pa}skeleton_length"][left] < 2
    ends_alike = a[f"{pa}ends_a"][left] == b[f"{pb}ends_a"][right]
    same_sound = same_skeleton & (~short | ((jw >= SHORT_SKELETON_ALIKE) & ends_alike))
    level = np.full(len(left), 6, dtype=np.int8)
    level[jw >= 0.70] = 5
    level[jw >= 0.85] = 4
    level[_initial_of(a, b, pa, pb, left, right)] = 4
    level[(jw >= 0.92) | contained] = 3
    level[same_sound | unarticled | _other_forms(a, b, pa, pb, left, right, level)] = 2
    level[exact] = 1
    level[missing] = 0
    return level


def _initial_of(a: Prepared, b: Prepared, pa: str, pb: str, left, right) -> np.ndarray:
    """One name is a single letter, the other's initial ("R." and "Rowland")."""
    latin_a, latin_b = a[f"{pa}latin"][left], b[f"{pb}latin"][right]
    initial_a, initial_b = a[f"{pa}initial"][left], b[f"{pb}initial"][right]
    return (initial_a != 0) & (
        ((latin_a == initial_a) & (latin_b != latin_a) & (initial_b == initial_a))
        | ((latin_b == initial_b) & (latin_a != latin_b) & (initial_a == initial_b))
    )


def _other_forms(a: Prepared, b: Prepared, pa: str, pb: str, left, right, level) -> np.ndarray:
    """One name is a known nickname or short form of the other, or both of one name."""
    found = np.zeros(len(left), dtype=bool)
    asked = np.flatnonzero((level > 2) & (a[f"{pa}has_forms"][left] | b[f"{pb}has_forms"][right]))
    if not len(asked):
        return found
    rows_a, rows_b = left[asked], right[asked]
    # Each distinct pair of names is looked at once: common names recur.
    keys = (a[f"{pa}norm"][rows_a] << 32) | b[f"{pb}norm"][rows_b]
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    forms_a, own_a = a[f"{pa}forms"], a[f"{pa}own"]
    forms_b, own_b = b[f"{pb}forms"], b[f"{pb}own"]
    met = np.array(
        [
            bool(forms_a[i] & (own_b[j] | forms_b[j]) or own_a[i] & forms_b[j])
            for i, j in zip(rows_a[first], rows_b[first], strict=True)
        ],
        dtype=bool,
    )
    found[asked] = met[inverse.ravel()]
    return found


class Name(Comparison):
    """A single name field (given, family, full or other name) in any script."""

    def __init__(self, field: str, term_frequency: bool = True, label: str | None = None):
        self.field = field
        self.outputs = (label or field,)
        self.level_labels = (NAME_LEVELS,)
        self.term_frequency = (term_frequency,)

    def prepare(self, columns):
        prepared = _name_arrays(columns[self.field], "")
        prepared.pop("parts")
        return prepared

    def levels(self, a, b, left, right):
        return _name_levels(a, b, "", "", left, right)[:, None]

    def tf_values(self, prepared, output):
        return prepared["norm"]


class PersonName(Comparison):
    """Given and family name together, so that a swapped order still agrees."""

    def __init__(self, given: str, family: str, term_frequency: bool = True):
        self.given, self.family = given, family
        self.outputs = (given, family)
        self.level_labels = (NAME_LEVELS, NAME_LEVELS)
        self.term_frequency = (term_frequency, term_frequency)

    def prepare(self, columns):
        prepared = _name_arrays(columns[self.given], "g_")
        prepared.update(_name_arrays(columns[self.family], "f_"))
        prepared["g_lone_title"], prepared["f_lone_title"] = _lone_titles(
            columns[self.given], columns[self.family]
        )
        given_parts, family_parts = prepared.pop("g_parts"), prepared.pop("f_parts")
        prepared["unordered"] = VOCABULARY.encode(
            [" ".join(sorted(g + f)) for g, f in zip(given_parts, family_parts, strict=True)]
        )
        # For blocking: each part of either name, a block for each (one set per distinct
        # pair of names, shared: a million records hold far fewer).
        prepared["parts"] = object_array(
            memoised(list(zip(given_parts, family_parts, strict=True)), _part_set)
        )
        return prepared

    def levels(self, a, b, left, right):
        given = _name_levels(a, b, "g_", "g_", left, right)
        family = _name_levels(a, b, "f_", "f_", left, right)
        given[a["g_lone_title"][left] | b["g_lone_title"][right]] = 0
        family[a["f_lone_title"][left] | b["f_lone_title"][right]] = 0
        straight = _badness(given) + _badness(family)
        candidates = np.flatnonzero(straight >= 6)  # try the swap only where it could help
        if len(candidates):
            sl, sr = left[candidates], right[candidates]
            given_x = _name_levels(a, b, "g_", "f_", sl, sr)
            family_x = _name_levels(a, b, "f_", "g_", sl, sr)
            better = (_badness(given_x) + _badness(family_x)) < straight[candidates]
            given[candidates[better]] = given_x[better]
            family[candidates[better]] = family_x[better]
        return np.stack([given, family], axis=1)

    def swapped(self, a, b, left, right) -> np.ndarray:
        """Whether the best agreement came from reading the names the other way round."""
        straight = _badness(_name_levels(a, b, "g_", "g_", left, right)) + _badness(
            _name_levels(a, b, "f_", "f_", left, right)
        )
        crossed = _badness(_name_levels(a, b, "g_", "f_", left, right)) + _badness(
            _name_levels(a, b, "f_", "g_", left, right)
        )
        return crossed < straight

    def tf_values(self, prepared, output):
        return prepared["g_norm" if output == 0 else "f_norm"]


def _lone_titles(given: Sequence, family: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """Which given and which family names are only a title ("Dr", "Sir") beside a name in
    the other field: compared as missing, since a title says nothing of the name it stands
    for (they still block, the title being sometimes all that was written)."""

    def flags(names: tuple) -> tuple[bool, bool]:
        g, f = only_titles(as_text(names[0])), only_titles(as_text(names[1]))
        return g and bool(as_text(names[1])) and not f, f and bool(as_text(names[0])) and not g

    rows = memoised(list(zip(given, family, strict=True)), flags)
    return (
        np.array([r[0] for r in rows], dtype=bool),
        np.array([r[1] for r in rows], dtype=bool),
    )


def _badness(level: np.ndarray) -> np.ndarray:
    return np.where(level == 0, 6, level).astype(np.int16)


class Exact(Comparison):
    """Categorical field: sex, nationality, occupation, a code."""

    def __init__(
        self,
        field: str,
        term_frequency: bool = False,
        label: str | None = None,
        recorded_differently: float = 0.0,
    ):
        self.field = field
        self.outputs = (label or field,)
        self.level_labels = (("same", "different"),)
        self.term_frequency = (term_frequency,)
        # The least share of one person's records that disagree on the field.
        self.recorded_differently = recorded_differently

    def m_bounds(self, output):
        return {2: (self.recorded_differently, 1.0)} if self.recorded_differently else {}

    def prepare(self, columns):
        return {
            "value": VOCABULARY.encode(memoised(columns[self.field], lambda v: fold(as_text(v))))
        }

    def levels(self, a, b, left, right):
        va, vb = a["value"][left], b["value"][right]
        level = np.where(va == vb, 1, 2).astype(np.int8)
        level[(va == 0) | (vb == 0)] = 0
        return level[:, None]

    def tf_values(self, prepared, output):
        return prepared["value"]


class EditDistance(Comparison):
    """Identifiers and codes that are copied with typos: exact, then up to N edits."""

    def __init__(
        self,
        field: str,
        thresholds: tuple[int, ...] = (1, 2),
        term_frequency: bool = False,
        label: str | None = None,
    ):
        self.field = field
        self.thresholds = tuple(sorted(thresholds))
        self.outputs = (label or field,)
        self.level_labels = (
            ("exact", *(f"{t} edit{'s' if t > 1 else ''}" for t in self.thresholds), "different"),
        )
        self.term_frequency = (term_frequency,)

    def prepare(self, columns):
        def clean(value):
            return "".join(fold(as_text(value)).split())

        return {"value": VOCABULARY.encode(memoised(columns[self.field], clean))}

    def levels(self, a, b, left, right):
        va, vb = a["value"][left], b["value"][right]
        distance = similarity(a, b, "value", "value", left, right, DamerauLevenshtein.distance)
        level = np.full(len(left), len(self.thresholds) + 2, dtype=np.int8)
        for i, threshold in reversed(list(enumerate(self.thresholds))):
            level[distance <= threshold] = i + 2
        level[va == vb] = 1
        level[(va == 0) | (vb == 0)] = 0
        return level[:, None]

    def tf_values(self, prepared, output):
        return prepared["value"]


class Place(Comparison):
    """A place or postcode: exact, nearly the same spelling, same first part, different."""

    def __init__(self, field: str, term_frequency: bool = True, label: str | None = None):
        self.field = field
        self.outputs = (label or field,)
        self.level_labels = (("exact", "similar spelling", "same area", "different"),)
        self.term_frequency = (term_frequency,)

    def prepare(self, columns):
        rows = memoised(columns[self.field], lambda v: fold(as_text(v)))
        return {
            "value": VOCABULARY.encode(rows),
            "area": VOCABULARY.encode([r.split()[0] if r else "" for r in rows]),
            "several": np.array([" " in r for r in rows], dtype=bool),
        }

    def levels(self, a, b, left, right):
        va, vb = a["value"][left], b["value"][right]
        jw = similarity(a, b, "value", "value", left, right, JaroWinkler.similarity)
        area = (a["area"][left] == b["area"][right]) & (a["area"][left] != 0)
        compound = np.flatnonzero((a["several"][left] | b["several"][right]) & ~area)
        if len(compound):
            area[compound] = (
                similarity(
                    a, b, "value", "value", left[compound], right[compound], fuzz.token_set_ratio
                )
                >= 99.5
            )
        level = np.full(len(left), 4, dtype=np.int8)
        level[area] = 3
        level[jw >= 0.9] = 2
        level[va == vb] = 1
        level[(va == 0) | (vb == 0)] = 0
        return level[:, None]

    def tf_values(self, prepared, output):
        return prepared["value"]
