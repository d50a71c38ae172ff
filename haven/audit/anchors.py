"""The audit chains' heads, written outside the database.

Whoever can write the database could rewrite the chains and their heads together; with
the keyed MAC they also need the audit key. An anchor — each chain's last number, hash and
the first number linked with the key, MACed — is appended to a file outside the database
(`HAVEN_AUDIT_ANCHOR_FILE`, hourly by the periodic jobs and at `haven audit anchor`). Kept
on an append-only mount, or shipped elsewhere with the logs, it lets `haven audit verify`
find a chain rewritten even by someone who holds both the database and the key: the records
an anchor names must still carry the hashes it wrote down.
"""

import hashlib
import hmac
import json
import os

from django.conf import settings
from django.utils import timezone

from haven.audit.chain import Problem
from haven.audit.models import AccessLog, AuditEvent, ChainHead

_MODELS = {"audit_event": AuditEvent, "access_log": AccessLog}


def _mac(body: dict) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hmac.new(settings.HAVEN_AUDIT_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def write() -> dict:
    """Append one anchor line with every chain's head; return what was written."""
    chains = {
        head.name: {"seq": head.seq, "hash": head.hash, "keyed_from": head.keyed_from}
        for head in ChainHead.objects.order_by("name")
    }
    body = {"at": timezone.now().isoformat(timespec="seconds"), "chains": chains}
    line = json.dumps({**body, "mac": _mac(body)}, sort_keys=True)
    path = settings.HAVEN_AUDIT_ANCHOR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return body


def check(heads: dict) -> list[Problem]:
    """Every anchor line against the database: its MAC, the first keyed number, and the
    hash of each record it names."""
    path = settings.HAVEN_AUDIT_ANCHOR_FILE
    if not path.exists():
        return []
    problems: list[Problem] = []
    wanted: dict[str, dict[int, tuple[str, int]]] = {name: {} for name in _MODELS}
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        where = f"anchor line {number}"
        try:
            line = json.loads(text)
            body = {"at": line["at"], "chains": line["chains"]}
            genuine = hmac.compare_digest(_mac(body), line["mac"])
        except (ValueError, KeyError, TypeError):
            genuine = False
        if not genuine:
            problems.append(Problem("anchors", None, None, f"{where} was altered or is not ours"))
            continue
        for name, anchored in body["chains"].items():
            head = heads.get(name)
            if name in wanted and head is not None and head.keyed_from != anchored["keyed_from"]:
                problems.append(
                    Problem(name, None, None, f"the first keyed record moved since {where}")
                )
            if name in wanted and anchored["seq"]:
                wanted[name][anchored["seq"]] = (anchored["hash"], number)
    for name, anchored in wanted.items():
        found = dict(
            _MODELS[name].objects.filter(seq__in=list(anchored)).values_list("seq", "hash")
        )
        for seq, (expected, number) in sorted(anchored.items()):
            if found.get(seq) != expected:
                what = "is missing" if seq not in found else "was rewritten"
                problems.append(
                    Problem(name, seq, None, f"{what} since anchor line {number} wrote it down")
                )
    return problems
