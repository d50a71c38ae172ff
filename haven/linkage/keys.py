"""Blocking keys that mean the same in every process, for storing in a database.

In memory, features are codes of a per-process vocabulary; a stored key must not depend
on that, so it is made from the feature texts and hashed (the keys are derived from names
and dates, and a database of them should not read as a list of names). Each rule's own
description is part of its keys: a rule added leaves the other rules' stored keys valid
(the new rule's keys are added by a migration that rebuilds them), and a rule changed
makes its old keys miss rather than mislead.
"""

import hashlib

from haven.linkage.blocking import rule_keys
from haven.linkage.model import Dataset

KEY_LENGTH = 24  # hex characters: 96 bits


def stable_keys(data: Dataset, rules: list[tuple[str, ...]], row: int) -> list[str]:
    """The hashed keys of one prepared record: for each rule it has every feature for, one
    (or one per value of a feature that holds several)."""
    keys = []
    for rule in rules:
        for key in rule_keys(data.features, rule, slice(row, row + 1))[0]:
            text = "\x1f".join([repr(rule), key])
            keys.append(hashlib.blake2b(text.encode(), digest_size=KEY_LENGTH // 2).hexdigest())
    return keys
