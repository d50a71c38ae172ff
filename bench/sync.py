"""Field-work sync benchmark: a caseload taken offline and synced back over a poor link,
and 50 devices syncing at once, on PostgreSQL behind `gunicorn --workers 2`.

A. One caseworker, 500 open cases, in Debian's Chromium with the network emulated as a
   poor 3G link (256 kbit/s each way, 300 ms latency): the offline app takes the caseload
   (bytes on the wire, seconds), then — offline — 100 registrations and 300 edits of a
   case's summary are made through the app's own screens, and the app syncs them back.
   Anchor, same link, same cases: reading them through Haven's REST API as an integration
   without a sync protocol would (the case list's pages, then each person), six requests
   at a time as a browser does.
   Goals: the caseload <= 1 MB on the wire and <= 60 s on that link.

B. 50 caseworkers, each with an enrolled device holding 10 cases, sync at once: each
   sends 2 registrations, 6 summary edits (2 of them on a field a supervisor changed
   meanwhile: conflicts) and 2 notes, then pulls what changed. Every operation must be
   accounted for in the database (applied, conflict or refused; none lost).
   Anchor: the same work done online through the REST API by 50 clients at once (batch
   registration, PATCH of the case, POST of the note).

    python bench/sync.py [--database postgres://postgres@127.0.0.1:5432/haven_bench_sync]
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from foundation import _wait_until_up, ensure_database, setup_django  # noqa: E402

# Playwright runs an event loop in this thread; the ORM reads between its calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
POOR_3G = {"offline": False, "latency": 300, "downloadThroughput": 32000, "uploadThroughput": 32000}
GOALS = {"caseload_bytes": 1_000_000, "caseload_seconds": 60.0, "lost": 0}
CHROMIUM = os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "Bench-sync-passphrase-1"  # noqa: S105 (a throwaway benchmark database)


def fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ensure_database(url)


def seed(field_cases: int, devices: int, per_device: int) -> dict:
    from django.core.management import call_command

    from haven.accounts.models import Agency, Office, Role, RoleGrant, User
    from haven.assistance.models import ServiceType
    from haven.cases import actions

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(code="ha", name="Haven Field")
    office = Office.objects.create(agency=agency, name="Border post")
    role = Role.objects.get(code="caseworker")

    def worker(name):
        user = User.objects.create_user(name, password=PASSWORD, agency=agency)
        user.offices.add(office)
        RoleGrant.objects.create(user=user, role=role, scope="own")
        return user

    supervisor = User.objects.create_user("bench.supervisor", password=PASSWORD, agency=agency)
    supervisor.offices.add(office)
    RoleGrant.objects.create(
        user=supervisor, role=Role.objects.get(code="supervisor"), scope="office"
    )
    ServiceType.objects.get_or_create(code="shelter", defaults={"name": "Shelter"})
    from bench_people import person  # a varied, realistic person per index

    field = worker("field.0")
    for i in range(field_cases):
        actions.register(field, **person(i))
    workers = [worker(f"field.{n}") for n in range(1, devices + 1)]
    for n, user in enumerate(workers):
        for i in range(per_device):
            actions.register(user, **person(100_000 + n * per_device + i))
    return {"field": field, "workers": workers, "supervisor": supervisor}


def serve(database_url: str) -> subprocess.Popen:
    from haven.core.management.commands.haven_run import gunicorn_arguments

    env = {**os.environ, "DATABASE_URL": database_url, "HAVEN_LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            *gunicorn_arguments("127.0.0.1", PORT, workers=2, threads=8, access_log=False),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(ROOT),
    )
    _wait_until_up(f"{BASE}/healthz")
    return server


# ---- A: one caseload over a poor link, in the browser ------------------------------------


class Wire:
    """Bytes on the wire (headers and compressed bodies) per request, from Chromium itself."""

    def __init__(self, cdp):
        self.urls, self.bytes = {}, {}
        cdp.send("Network.enable")
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: self.urls.__setitem__(e["requestId"], e["request"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: self.bytes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )

    def mark(self):
        return set(self.bytes)

    def since(self, before, part):
        down = up = 0
        for rid, size in self.bytes.items():
            request = self.urls.get(rid, {})
            if rid in before or part not in request.get("url", ""):
                continue
            down += size
            up += len(request.get("postData", "") or "") + 500  # body plus typical headers
        return down, up


def browser_run(field_cases: int) -> dict:
    from playwright.sync_api import sync_playwright

    from haven.cases.models import Case
    from haven.field.models import Operation

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context(viewport={"width": 360, "height": 780}, base_url=BASE)
        context.set_default_timeout(600_000)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Username").fill("field.0")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        page.goto("/field/")
        page.get_by_label("Name of this device").fill("Bench phone")
        page.get_by_label("Choose an offline passphrase").fill(PASSWORD)
        page.get_by_label("Passphrase again").fill(PASSWORD)
        page.get_by_role("button", name="Enrol this device").click()
        page.locator("#field-work").wait_for()
        cdp = context.new_cdp_session(page)
        wire = Wire(cdp)
        cdp.send("Network.emulateNetworkConditions", POOR_3G)

        before = wire.mark()
        started = time.perf_counter()
        page.get_by_role("button", name="Sync now").click()
        page.locator("#field-status", has_text="Synced").wait_for()
        seconds = time.perf_counter() - started
        down, up = wire.since(before, "/api/v1/field/")
        results["caseload"] = {
            "cases": page.locator("#field-caseload li").count(),
            "bytes_down": down,
            "bytes_up": up,
            "seconds": round(seconds, 1),
        }

        # The anchor on the same link: the REST API read as an integration would read it.
        before = wire.mark()
        started = time.perf_counter()
        fetched = page.evaluate(REST_READ)
        seconds = time.perf_counter() - started
        down, up = wire.since(before, "/api/v1/")
        results["rest_anchor"] = {
            "cases": fetched,
            "bytes_down": down,
            "bytes_up": up,
            "seconds": round(seconds, 1),
        }

        # Offline: 100 registrations and 300 edits through the app's screens.
        context.set_offline(True)
        started = time.perf_counter()
        for i in range(100):
            page.get_by_role("button", name="Register a person").click()
            page.get_by_label("Given name").fill(f"Offline {i}")
            page.get_by_label("Family name").fill("Registrant")
            page.get_by_label("Sex").select_option("female" if i % 2 else "male")
            page.get_by_label("Programme").select_option("vulnerable_migrants")
            page.get_by_label("Stranded migrant").check()
            page.get_by_label("The person consents to being registered").check()
            page.get_by_role("button", name="Register", exact=True).click()
            page.locator("#field-work").wait_for()
        rows = page.locator("#field-caseload button[data-key]:not([data-key^='local:'])")
        for i in range(min(300, field_cases)):
            rows.nth(i).click()
            page.get_by_label("Summary of the case").fill(
                f"Seen again at the border post, visit {i}"
            )
            page.get_by_role("button", name="Save the summary").click()
            page.locator("#field-status", has_text="Summary saved").wait_for()
            page.get_by_role("button", name="Back to the caseload").first.click()
        results["offline_work_seconds"] = round(time.perf_counter() - started, 1)

        context.set_offline(False)
        cdp.send("Network.emulateNetworkConditions", POOR_3G)
        operations_before = Operation.objects.count()
        cases_before = Case.objects.count()
        before = wire.mark()
        started = time.perf_counter()
        page.get_by_role("button", name="Sync now").click()
        page.locator("#field-status", has_text="Synced").wait_for()
        seconds = time.perf_counter() - started
        down, up = wire.since(before, "/api/v1/field/")
        sent = Operation.objects.count() - operations_before
        results["sync_back"] = {
            "operations": sent,
            "registered": Case.objects.count() - cases_before,
            "status": page.locator("#field-status").text_content(),
            "bytes_down": down,
            "bytes_up": up,
            "seconds": round(seconds, 1),
        }
        browser.close()
    return results


REST_READ = """async () => {
  const get = async (url) => {
    const headers = {Accept: "application/json"};
    const response = await fetch(url, {credentials: "same-origin", headers});
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  };
  let url = "/api/v1/cases/", cases = [];
  while (url) { const page = await get(url); cases.push(...page.results); url = page.next; }
  const persons = cases.map((c) => (typeof c.person === "object" ? c.person.id : c.person));
  let next = 0;
  const lane = async () => {
    while (next < persons.length) await get(`/api/v1/persons/${persons[next++]}/`);
  };
  await Promise.all([lane(), lane(), lane(), lane(), lane(), lane()]);
  return cases.length;
}"""


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


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(a: dict, b: dict) -> None:
    if a:
        print(
            f"\nHaven field sync benchmark — PostgreSQL, gunicorn 2 workers, {os.cpu_count()} cores"
        )
        c, r, s = a["caseload"], a["rest_anchor"], a["sync_back"]
        line = "{:<17}: {} cases, {:,} B down, ≈{:,} B up, {} s"
        print("A. caseload over 256 kbit/s, 300 ms latency (Chromium network emulation)")
        print(
            "   "
            + line.format(
                "Haven sync pull", c["cases"], c["bytes_down"], c["bytes_up"], c["seconds"]
            )
        )
        print(
            "   "
            + line.format(
                "REST API anchor", r["cases"], r["bytes_down"], r["bytes_up"], r["seconds"]
            )
        )
        bytes_ratio = r["bytes_down"] / max(c["bytes_down"], 1)
        time_ratio = r["seconds"] / max(c["seconds"], 0.01)
        print(f"   ratio (anchor / Haven): bytes {bytes_ratio:.1f}x, time {time_ratio:.1f}x")
        print(f"   offline work through the screens: {a['offline_work_seconds']} s")
        print(
            f"   sync back: {s['operations']} operations ({s['registered']} registrations), "
            f"{s['bytes_up']:,} B up, {s['bytes_down']:,} B down, {s['seconds']} s"
        )
        print(f"   the app said: {s['status']}")
        print(
            f"   goals: caseload <= {GOALS['caseload_bytes']:,} B "
            f"{_met(c['bytes_down'] <= GOALS['caseload_bytes'])}; "
            f"<= {GOALS['caseload_seconds']} s {_met(c['seconds'] <= GOALS['caseload_seconds'])}"
        )
    if b:
        s, r = b["sync"], b["rest_anchor"]
        print(f"B. {s['devices']} devices syncing at once")
        print(
            f"   Haven sync      : {s['operations']} operations in {s['seconds']} s = "
            f"{s['ops_per_s']}/s; per sync median {s['median_sync_s']} s, "
            f"p95 {s['p95_sync_s']} s"
        )
        print(
            f"   answers {s['answers']}; stored {s['stored']}; lost {s['lost']} "
            f"(goal 0: {_met(s['lost'] == 0)})"
        )
        print(
            f"   REST API anchor : {r['operations']} operations in {r['seconds']} s = "
            f"{r['ops_per_s']}/s; p95 per client {r['p95_client_s']} s"
        )
        print(f"   ratio (Haven sync / REST): {s['ops_per_s'] / max(r['ops_per_s'], 0.01):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/haven_bench_sync")
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--devices", type=int, default=50)
    parser.add_argument("--skip-browser", action="store_true")
    args = parser.parse_args()
    fresh_database(args.database)
    setup_django(args.database)
    people = seed(args.cases, args.devices, 10)
    server = serve(args.database)
    try:
        a = {} if args.skip_browser else browser_run(args.cases)
        report(a, {})
        b = concurrent_run(people["workers"], people["supervisor"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    report({}, b)


if __name__ == "__main__":
    main()
