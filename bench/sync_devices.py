"""Part B of the sync benchmark: many devices syncing at once, every operation accounted
for; the same work through the REST API as anchor."""

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from sync_common import BASE

# ---- B: 50 devices at once ---------------------------------------------------------------


def session_for(user):
    import requests
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import _get_new_csrf_string
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    store = SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = (
        str(user.pk),
        "haven.accounts.authentication.UserWithAgencyBackend",
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    http = requests.Session()
    # A kept-alive connection the server has closed is retried, POSTs included: sending
    # the same operations again is what a device does, and applies them once.
    retry = Retry(total=3, backoff_factor=0.2, allowed_methods=None)
    http.mount("http://", HTTPAdapter(max_retries=retry))
    csrf = _get_new_csrf_string()
    http.cookies.set("sessionid", store.session_key)
    http.cookies.set("csrftoken", csrf)
    http.headers.update({"X-CSRFToken": csrf, "Referer": BASE + "/field/"})
    return http


def device_round(http, header, cursor, cases, conflicted, index):
    """One sync: status, push 10 operations, pull what changed."""
    started = time.perf_counter()
    http.get(f"{BASE}/api/v1/field/devices/status/", headers=header).raise_for_status()
    ops = [
        {
            "id": str(uuid.uuid4()),
            "kind": "register",
            "ref": f"local:{index}-{k}",
            "person": {
                "given_name": f"Device {index}",
                "family_name": f"Person {k}",
                "sex": "male",
            },
            "case_fields": {"programme": "vulnerable_migrants", "vulnerabilities": ["stranded"]},
            "consent_given": True,
        }
        for k in range(2)
    ]
    for n, case in enumerate(cases[:6]):
        base = case["summary"]
        ops.append(
            {
                "id": str(uuid.uuid4()),
                "kind": "case.update",
                "case": case["id"],
                "changes": {"summary": {"from": base, "to": f"Field visit {index}.{n}"}},
            }
        )
    for case in cases[6:8]:
        ops.append(
            {"id": str(uuid.uuid4()), "kind": "note.add", "case": case["id"], "body": "Followed up"}
        )
    answer = http.post(f"{BASE}/api/v1/field/push/", json={"operations": ops}, headers=header)
    answer.raise_for_status()
    statuses = [r["status"] for r in answer.json()["results"]]
    after = 0
    until = ""
    while True:
        query = {"after": after, "since": cursor, **({"until": until} if until else {})}
        page = http.get(f"{BASE}/api/v1/field/pull/", params=query, headers=header)
        page.raise_for_status()
        data = page.json()
        until, after = data["until"], data["after"]
        if not data["more"]:
            break
    return time.perf_counter() - started, ops, statuses


def rest_round(http, cases, index):
    """The same work online: one batch registration, six PATCHes, two notes."""
    started = time.perf_counter()
    people = [
        {
            "person": {
                "given_name": f"Online {index}",
                "family_name": f"Person {k}",
                "sex": "male",
            },
            "programme": "vulnerable_migrants",
            "vulnerabilities": ["stranded"],
        }
        for k in range(2)
    ]
    http.post(f"{BASE}/api/v1/cases/batch/", json=people).raise_for_status()
    done = 2
    for n, case in enumerate(cases[:6]):
        answer = http.patch(
            f"{BASE}/api/v1/cases/{case['id']}/",
            json={"summary": f"Office visit {index}.{n}", "version": case["version"]},
        )
        done += answer.status_code in (200, 409)
    for case in cases[6:8]:
        http.post(
            f"{BASE}/api/v1/cases/{case['id']}/notes/", json={"body": "Followed up"}
        ).raise_for_status()
        done += 1
    return time.perf_counter() - started, done


def concurrent_run(workers, supervisor) -> dict:
    from haven.cases import actions
    from haven.cases.models import Case
    from haven.field.models import Operation

    devices = []
    for user in workers:
        http = session_for(user)
        enrolled = http.post(
            f"{BASE}/api/v1/field/devices/", json={"name": f"{user.username} phone"}
        )
        enrolled.raise_for_status()
        header = {"X-Haven-Device": f"{enrolled.json()['id']}.{enrolled.json()['secret']}"}
        page = http.get(f"{BASE}/api/v1/field/pull/", params={"after": 0}, headers=header).json()
        devices.append((http, header, page["until"], page["records"]))
    # Meanwhile, online, the supervisor edits two of each device's cases: conflicts to come.
    conflicted = 0
    for _http, _header, _cursor, records in devices:
        for record in records[4:6]:
            case = Case.objects.get(pk=record["id"])
            actions.update_case(
                supervisor, case, {"summary": "Changed at the office"}, case.version
            )
            conflicted += 1
    before = Operation.objects.count()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(devices)) as pool:
        rounds = list(
            pool.map(
                lambda d: device_round(d[0], d[1], d[2], d[3], conflicted, devices.index(d)),
                devices,
            )
        )
    wall = time.perf_counter() - started
    sent = sum(len(ops) for _t, ops, _s in rounds)
    statuses = [s for _t, _o, ss in rounds for s in ss]
    stored = Operation.objects.count() - before
    by_status = {s: statuses.count(s) for s in sorted(set(statuses))}
    in_db = {
        s: Operation.objects.filter(status=s).count()
        for s in ("applied", "conflict", "refused", "waiting")
    }
    sync = {
        "devices": len(devices),
        "operations": sent,
        "stored": stored,
        "answers": by_status,
        "in_database": in_db,
        "lost": sent - stored,
        "seconds": round(wall, 2),
        "ops_per_s": round(sent / wall, 1),
        "p95_sync_s": round(sorted(t for t, _o, _s in rounds)[int(0.95 * len(rounds)) - 1], 2),
        "median_sync_s": round(statistics.median(t for t, _o, _s in rounds), 2),
    }
    # Anchor: the same work online through the REST API, 50 clients at once.
    clients = [
        (
            session_for(user),
            [{"id": r["id"], "version": Case.objects.get(pk=r["id"]).version} for r in records],
        )
        for user, (_h, _hd, _c, records) in zip(workers, devices, strict=True)
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        online = list(pool.map(lambda c: rest_round(c[0], c[1], clients.index(c)), clients))
    wall = time.perf_counter() - started
    done = sum(d for _t, d in online)
    rest = {
        "operations": done,
        "seconds": round(wall, 2),
        "ops_per_s": round(done / wall, 1),
        "p95_client_s": round(sorted(t for t, _d in online)[int(0.95 * len(online)) - 1], 2),
    }
    return {"sync": sync, "rest_anchor": rest}
