"""Foundation benchmark: 1,000,000 cases on PostgreSQL.

Measures, on the same seeded database in one run:
  - case list with filters, server time (median, p95)         goal p95 <= 200 ms
  - name search (partial, Latin and Arabic script), server time goal p95 <= 200 ms
  - dashboard, server time                                      goal <= 1 s
  - registration through the API, 2 gunicorn workers            goal >= 200 per second

Server time is the time Django takes to answer a request in-process (middleware, queries,
templates), measured with the test client against the real database. Registration is
measured end to end over HTTP on loopback against `gunicorn --workers 2`.

    python bench/foundation.py --cases 1000000            # seeds once, then measures
    python bench/foundation.py --cases 1000000 --reuse    # measure an already seeded DB
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOALS = {"list_p95_ms": 200, "search_p95_ms": 200, "dashboard_ms": 1000, "register_per_s": 200}


def setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("HAVEN_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haven.settings")
    os.environ["HAVEN_LOG_LEVEL"] = "ERROR"
    import django

    django.setup()


def ensure_database(database_url: str):
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed(cases: int, reuse: bool) -> dict:
    from django.core.management import call_command

    from haven.cases.models import Case

    call_command("migrate", verbosity=0)
    have = Case.objects.count()
    result = {"cases_before": have}
    if reuse and have >= cases:
        _vacuum()
        return result
    started = time.monotonic()
    from haven.site import bulk

    bulk.seed_cases(cases - have, batch=10000, progress=print)
    elapsed = time.monotonic() - started
    _vacuum()
    result.update({"seeded": cases - have, "seed_seconds": round(elapsed, 1)})
    result["seed_rows_per_s"] = round((cases - have) / elapsed)
    return result


def _vacuum():
    """What autovacuum does after a bulk load: statistics and the visibility map."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def timed(client, urls, rounds=1) -> list[float]:
    times = []
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            response = client.get(url, HTTP_HOST="localhost")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return {
        "n": len(times),
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
    }


def measure_pages(rounds: int) -> dict:
    from django.test import Client

    from haven.accounts.models import User

    results = {}
    personas = {
        "caseworker (own)": "cw.ha.0",
        "supervisor (office)": "supervisor.a",
        "protection officer (agency)": "protection.a",
    }
    filters = [
        "/cases/?status=implementation",
        "/cases/?risk_level=high&programme=child_protection",
        "/cases/?vulnerability=trafficking_victim",
        "/cases/?status=follow_up&risk_level=critical&page=3",
        "/cases/?registered_from=2026-01-01&status=assessment",
    ]
    searches = [
        "/cases/?q=haddad",
        "/cases/?q=hadd",
        "/cases/?q=tesfay",
        "/cases/?q=أمل",
        "/cases/?q=محمد",
        "/cases/?q=okafor",
        "/cases/?q=ouedraogo",
        "/cases/?q=kovalenko",
    ]
    for label, username in personas.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        timed(client, ["/cases/", "/"])  # warm caches and connections
        results[label] = {
            "list": summary(timed(client, filters, rounds)),
            "search": summary(timed(client, searches, rounds)),
            "dashboard": summary(timed(client, ["/"], rounds * 3)),
        }
    analyst = Client()
    analyst.force_login(User.objects.get(username="analyst"))
    timed(analyst, ["/"])
    results["analyst (aggregates)"] = {"dashboard": summary(timed(analyst, ["/"], rounds * 3))}
    return results


# wrk builds each request in Lua: a different person every time, as real registrations are.
WRK_SCRIPT = """
local given = {"Amina", "Yusuf", "Fatima", "Ibrahim", "Mariam", "Tesfay", "Olena", "Chidi",
               "Aisha", "Omar", "Hawa", "Samuel", "Leila", "Dawit", "Nadia", "Moussa"}
local family = {"Haddad", "Okafor", "Ouedraogo", "Kovalenko", "Tesfaye", "Diallo", "Mensah",
                "Rahimi", "Bekele", "Traore", "Petrenko", "Nwosu", "Sow", "Karimi"}
local batch = BATCH
local token = "TOKEN"
local path = "PATH"
local sent = 0

local function one()
  sent = sent + 1
  local n = sent * 7919 + math.random(1000000)
  return string.format(
    '{"person": {"given_name": "%s", "family_name": "%s %d", "sex": "%s", ' ..
    '"nationalities": ["NE"], "languages": ["hau"]}, "programme": "vulnerable_migrants", ' ..
    '"vulnerabilities": ["stranded"], "risk_level": "medium"}',
    given[n % #given + 1], family[n % #family + 1], n % 997,
    (n % 2 == 0) and "female" or "male")
end

request = function()
  local body
  if batch == 1 then
    body = one()
  else
    local items = {}
    for i = 1, batch do items[i] = one() end
    body = "[" .. table.concat(items, ",") .. "]"
  end
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Token " .. token,
    ["Host"] = "localhost",
    -- A fresh connection per request: gunicorn keeps a kept-alive connection on the worker
    -- that accepted it, so a few persistent connections can all land on one worker and
    -- leave the other idle. New connections are shared out as requests come.
    ["Connection"] = "close",
  }, body)
end
"""


def measure_registration(
    database_url: str, seconds: int, connections: int, threads: int, batch: int = 1
) -> dict:
    """Registrations over HTTP against `gunicorn --workers 2`, driven by wrk.

    wrk (C, one thread) generates the load so that the two cores go to Haven and
    PostgreSQL rather than to a Python client. The number created is counted in the
    database, not taken from the responses.
    """
    from rest_framework.authtoken.models import Token

    from haven.cases.models import Case

    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit(
            "The registration measure drives the server with wrk: install it "
            "(`apt-get install wrk`; `make bench` does it)."
        )
    registrar = _registrar()
    token, _ = Token.objects.get_or_create(user=registrar)
    port = 8765
    path = "/api/v1/cases/batch/" if batch > 1 else "/api/v1/cases/"
    script = (
        WRK_SCRIPT.replace("BATCH", str(batch)).replace("TOKEN", token.key).replace("PATH", path)
    )
    server = serve(database_url, port, threads)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        try:
            url = f"http://127.0.0.1:{port}"
            command = [wrk, "-t", "1", "-c", str(connections), "-s", lua.name, url]
            # A short warm-up so both workers have imported everything and hold connections.
            subprocess.run([*command, "-d", "3s"], check=True, capture_output=True)  # noqa: S603
            before = Case.objects.filter(owner=registrar).count()
            started = time.perf_counter()
            run = subprocess.run(  # noqa: S603
                [*command, "-d", f"{seconds}s"], check=True, capture_output=True, text=True
            )
            elapsed = time.perf_counter() - started
            created = Case.objects.filter(owner=registrar).count() - before
        finally:
            server.terminate()
            server.wait(timeout=30)
    requests = _wrk_requests(run.stdout)
    return {
        "batch": batch,
        "requests": requests,
        "connections": connections,
        "threads_per_worker": threads,
        "ok": created,
        "failed": max(0, requests * batch - created),
        "seconds": round(elapsed, 2),
        "per_second": round(created / elapsed, 1),
        "wrk": run.stdout,
    }


def serve(database_url: str, port: int, threads: int) -> subprocess.Popen:
    """Haven served exactly as `haven run` serves it, with 2 worker processes; returns once
    it answers."""
    from haven.site.management.commands.haven_run import gunicorn_arguments

    env = {**os.environ, "DATABASE_URL": database_url, "HAVEN_LOG_LEVEL": "ERROR"}
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            *gunicorn_arguments("127.0.0.1", port, workers=2, threads=threads, access_log=False),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(ROOT),
    )
    _wait_until_up(f"http://127.0.0.1:{port}/healthz")
    return server


def _wrk_requests(output: str) -> int:
    """The request count from wrk's summary line, e.g. "  4077 requests in 20.02s, …"."""
    for line in output.splitlines():
        words = line.split()
        if len(words) > 2 and words[1] == "requests" and words[2] == "in":
            return int(words[0])
    raise RuntimeError(f"wrk printed no request count:\n{output}")


def _registrar():
    """A caseworker in an agency of its own: registrations never enter a measured scope."""
    from haven.accounts.models import Agency, Office, Role, RoleGrant, User

    agency, _ = Agency.objects.get_or_create(code="bench", defaults={"name": "Benchmark intake"})
    office, _ = Office.objects.get_or_create(agency=agency, name="Benchmark intake office")
    user, created = User.objects.get_or_create(username="bench.intake", defaults={"agency": agency})
    if created:
        user.offices.add(office)
        RoleGrant.objects.create(user=user, role=Role.objects.get(code="caseworker"), scope="own")
    return user


def _wait_until_up(url: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not come up at {url}")


def verdicts(
    pages: dict, registration: dict | None, batched: dict | None = None
) -> list[tuple[str, float, float]]:
    rows = []
    if pages:
        worst_list = max(v["list"]["p95_ms"] for v in pages.values() if "list" in v)
        worst_search = max(v["search"]["p95_ms"] for v in pages.values() if "search" in v)
        worst_dash = max(v["dashboard"]["p95_ms"] for v in pages.values())
        rows.append(("case list p95 (ms, worst role)", worst_list, GOALS["list_p95_ms"]))
        rows.append(("name search p95 (ms, worst role)", worst_search, GOALS["search_p95_ms"]))
        rows.append(("dashboard p95 (ms, worst role)", worst_dash, GOALS["dashboard_ms"]))
    if registration:
        rate = registration["per_second"]
        rows.append(("API registrations/s, one per request", rate, GOALS["register_per_s"]))
    if batched:
        rate = batched["per_second"]
        label = f"API registrations/s, {batched['batch']} per request"
        rows.append((label, rate, GOALS["register_per_s"]))
    return rows


def report(results: dict) -> None:
    cores = os.cpu_count()
    print(f"\nHaven foundation benchmark — {results['cases']:,} cases on PostgreSQL, {cores} cores")
    if "seed_seconds" in results["seed"]:
        s = results["seed"]
        rate = f"{s['seed_rows_per_s']:,} cases/s"
        print(f"seed: {s['seeded']:,} cases in {s['seed_seconds']} s ({rate})")
    print(f"{'role':<30} {'page':<10} {'median ms':>10} {'p95 ms':>8}")
    for role, pages in results["pages"].items():
        for page, figures in pages.items():
            print(f"{role:<30} {page:<10} {figures['median_ms']:>10} {figures['p95_ms']:>8}")
    for key in ("registration", "batch_registration"):
        r = results.get(key)
        if r:
            how = "one per request" if r["batch"] == 1 else f"{r['batch']} per request"
            print(
                f"registration ({how}): {r['ok']} created, {r['failed']} failed in "
                f"{r['seconds']} s: {r['per_second']}/s with {r['connections']} connections "
                f"(wrk), 2 workers × {r['threads_per_worker']} threads"
            )
    print(f"\n{'measure':<36} {'Haven':>9} {'goal':>7} {'Haven/goal':>11}")
    rows = verdicts(results["pages"], results["registration"], results.get("batch_registration"))
    for label, value, goal in rows:
        print(f"{label:<36} {value:>9} {goal:>7} {value / goal:>11.2f}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "HAVEN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/haven_bench"
        ),
    )
    parser.add_argument(
        "--reuse", action="store_true", help="do not seed when the database has enough cases"
    )
    parser.add_argument("--rounds", type=int, default=5, help="times each page URL is requested")
    parser.add_argument(
        "--seconds", type=int, default=20, help="how long each registration load runs"
    )
    parser.add_argument("--connections", type=int, default=8, help="open connections of wrk")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--batch", type=int, default=50, help="registrations per batch request")
    parser.add_argument("--json", help="write the results to this file")
    parser.add_argument(
        "--parts", default="pages,registration", help="which measures to run (comma-separated)"
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    setup_django(args.database_url)
    results = {"seed": seed(args.cases, args.reuse)}
    from haven.cases.models import Case

    results["cases"] = Case.objects.count()
    parts = set(args.parts.split(","))
    results["pages"] = measure_pages(args.rounds) if "pages" in parts else {}
    results["registration"] = (
        measure_registration(args.database_url, args.seconds, args.connections, args.threads)
        if "registration" in parts
        else None
    )
    results["batch_registration"] = (
        measure_registration(
            args.database_url, args.seconds, args.connections, args.threads, args.batch
        )
        if "registration" in parts and args.batch > 1
        else None
    )
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
