"""Hashing and verifying the audit chains (no Django views or forms here)."""

import hashlib
import hmac
import json
from dataclasses import dataclass

GENESIS = "0" * 64

# The fields that make up a record's hash, per chain (besides prev_hash).
BASE_FIELDS = (
    "seq",
    "created_at",
    "actor_id",
    "actor_username",
    "agency_id",
    "object_type",
    "object_id",
    "ip",
    "channel",
)
CHAIN_FIELDS = {
    "audit_event": (*BASE_FIELDS, "action", "details"),
    "access_log": (*BASE_FIELDS, "view"),
}
# Fields added later: hashed only when set, so every record written before them still verifies.
OPTIONAL_FIELDS = {
    "audit_event": ("device_id",),
    "access_log": ("device_id", "occurred_at"),
}


def _canonical(value):
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="microseconds")
    return value


def compute_hash(chain: str, record, prev_hash: str, key: str | None = None) -> str:
    """The record's link: HMAC-SHA-256 under the audit key (records written before the key
    was introduced: plain SHA-256, `key` None)."""
    content = {name: _canonical(getattr(record, name)) for name in CHAIN_FIELDS[chain]}
    for name in OPTIONAL_FIELDS[chain]:
        if getattr(record, name, None) is not None:
            content[name] = _canonical(getattr(record, name))
    content["prev_hash"] = prev_hash
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if key is None:
        return hashlib.sha256(payload.encode()).hexdigest()
    return hmac.new(key.encode(), payload.encode(), hashlib.sha256).hexdigest()


@dataclass
class Problem:
    chain: str
    seq: int | None
    record_id: int | None
    what: str

    def __str__(self) -> str:
        where = f"event seq {self.seq} (id {self.record_id})" if self.seq else "chain end"
        return f"{self.chain}: {where}: {self.what}"


def verify_records(
    chain: str, records, head_seq: int, head_hash: str, key: str, keyed_from: int = 1
) -> list[Problem]:
    """Walk records in seq order and name every altered, missing or inserted one (records
    from `keyed_from` on carry the keyed MAC)."""
    problems: list[Problem] = []
    expected_seq, prev_hash = 1, GENESIS
    for record in records:
        if record.seq != expected_seq:
            if record.seq > expected_seq:
                missing = f"{expected_seq}" + (
                    f"–{record.seq - 1}" if record.seq - 1 > expected_seq else ""
                )
                what = f"events {missing} are missing (deleted) before this one"
            else:
                what = "out of sequence (inserted or duplicated)"
            problems.append(Problem(chain, record.seq, record.pk, what))
        if record.prev_hash != prev_hash:
            problems.append(
                Problem(chain, record.seq, record.pk, "does not link to the event before it")
            )
        used = key if record.seq >= keyed_from else None
        if not hmac.compare_digest(
            compute_hash(chain, record, record.prev_hash, used), record.hash
        ):
            problems.append(
                Problem(
                    chain, record.seq, record.pk, "its content was altered after it was written"
                )
            )
        expected_seq, prev_hash = record.seq + 1, record.hash
    last_seq = expected_seq - 1
    if last_seq != head_seq or prev_hash != head_hash:
        problems.append(
            Problem(
                chain,
                None,
                None,
                f"the chain ends at seq {last_seq} but {head_seq} events were written "
                "(events at the end were deleted or the head was altered)",
            )
        )
    return problems
