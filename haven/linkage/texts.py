"""Texts as integer codes shared by every prepared column, and their similarity pair by pair.

Prepared columns hold codes, so equality is an integer comparison and datasets prepared
apart (two lists to link, an index and a probe) compare with each other directly.
"""

import threading
from collections.abc import Sequence

import numpy as np
from rapidfuzz.process import cpdist

Prepared = dict[str, np.ndarray]


def memoised(values: Sequence, fn) -> list:
    """Apply fn once per distinct value: names and places repeat a lot."""
    seen: dict = {}
    out = []
    for value in values:
        key = value if isinstance(value, str | int | float | tuple | type(None)) else repr(value)
        if key not in seen:
            seen[key] = fn(value)
        out.append(seen[key])
    return out


MAX_TEXT = 200  # longer values are cut: no name or place needs more, and cost stays bounded


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from a data frame
        return ""
    return str(value)[:MAX_TEXT]


class Vocabulary:
    """Every distinct text seen by the process gets one integer code; "" is code 0.

    Prepared columns hold codes, so equality is an integer comparison and datasets prepared
    apart (two lists to link, an index and a probe) compare with each other directly.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._index: dict[str, int] = {"": 0}
        self._values: list[str] = [""]
        self._array = np.array([""], dtype=object)

    def encode(self, values: Sequence[str]) -> np.ndarray:
        with self._lock:
            index, known = self._index, self._values
            out = np.empty(len(values), dtype=np.int64)
            for i, value in enumerate(values):
                code = index.get(value)
                if code is None:
                    code = index[value] = len(known)
                    known.append(value)
                out[i] = code
            return out

    def decode(self, codes: np.ndarray) -> np.ndarray:
        array = self._array
        if len(array) < len(self._values):
            with self._lock:
                array = self._array = np.array(self._values, dtype=object)
        return array[codes]


VOCABULARY = Vocabulary()


def object_array(items: list) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = items
    return array


def _similarity(a: np.ndarray, b: np.ndarray, scorer) -> np.ndarray:
    if not len(a):
        return np.zeros(0)
    return cpdist(list(a), list(b), scorer=scorer, workers=-1)


def similarity(
    a: Prepared, b: Prepared, name_a: str, name_b: str, left, right, scorer
) -> np.ndarray:
    """Similarity of the texts a[name_a][left] and b[name_b][right], pair by pair.

    Where the same two texts recur often (common names and places), each distinct pair is
    scored once; a sample tells whether sorting the pairs out is worth it.
    """
    if not len(left):
        return np.zeros(0)
    codes_a, codes_b = a[name_a][left], b[name_b][right]
    keys = (codes_a << 32) | codes_b
    sample = keys[:: max(1, len(keys) // 5000)]
    if len(keys) > 20_000 and len(np.unique(sample)) < 0.6 * len(sample):
        distinct, inverse = np.unique(keys, return_inverse=True)
        scores = _similarity(
            VOCABULARY.decode(distinct >> 32), VOCABULARY.decode(distinct & 0xFFFFFFFF), scorer
        )
        return scores[inverse]
    return _similarity(VOCABULARY.decode(codes_a), VOCABULARY.decode(codes_b), scorer)
