"""Blocking keys that mean the same in every process, for storing in a database.

In memory, features are codes of a per-process vocabulary; a stored key must not depend
on that, so it is made from the feature texts and hashed (the keys are derived from names
and dates, and a database of them should not read as a list of names). Each rule's own
description is part of its keys: a rule added leaves the other rules' stored keys valid
(the new rule's keys are added by a migration that rebuilds them), and a rule changed
makes its old keys miss rather than mislead.
"""

import hashlib

import numpy as np

from haven.linkage.blocking import feature_values
from haven.linkage.comparisons import VOCABULARY
from haven.linkage.model import Dataset

KEY_LENGTH = 24  # hex characters: 96 bits


def _text(values: np.ndarray) -> str:
    # int64 features are vocabulary codes (see comparisons.Vocabulary); others are numbers.
    if values.dtype == np.int64:
        return str(VOCABULARY.decode(values)[0])
    return str(values[0])


def stable_keys(data: Dataset, rules: list[tuple[str, ...]], row: int) -> list[str]:
    """The hashed keys of one prepared record, one per rule it has every feature for."""
    keys = []
    for rule in rules:
        parts = []
        for spec in rule:
            values = feature_values(data.features, spec)[row : row + 1]
            if values[0] == 0 or values[0] == "":
                break
            parts.append(_text(values))
        else:
            text = "\x1f".join([repr(rule), *parts])
            digest = hashlib.blake2b(text.encode(), digest_size=KEY_LENGTH // 2)
            keys.append(digest.hexdigest())
    return keys
