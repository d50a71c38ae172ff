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
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from foundation import ensure_database, serve, setup_django  # noqa: E402
from sync_browser import browser_run  # noqa: E402
from sync_common import PASSWORD, PORT  # noqa: E402
from sync_devices import concurrent_run  # noqa: E402

GOALS = {"caseload_bytes": 1_000_000, "caseload_seconds": 60.0, "lost": 0}


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
    outside = worker("field.hist")
    for record in historical_people(field_cases):
        actions.register(outside, **record)
    workers = [worker(f"field.{n}") for n in range(1, devices + 1)]
    for n, user in enumerate(workers):
        for i in range(per_device):
            actions.register(user, **person(100_000 + n * per_device + i))
    return {"field": field, "workers": workers, "supervisor": supervisor}


HISTORICAL = (
    ROOT.parent / "shared" / "data" / "linkage" / "historical_figures_with_errors_50k.parquet"
)


def historical_people(count: int) -> list[dict]:
    """A caseload from data made elsewhere: the first record of each of `count` real people
    in Splink's historical-figures set (names, dates and places with realistic errors),
    read where it lies. Summaries are their occupation and birthplace, so they differ."""
    import pyarrow.parquet as pq

    from haven.people.models import Sex

    if not HISTORICAL.exists():
        raise SystemExit(f"{HISTORICAL} is missing: the outside caseload needs ../shared/data.")
    rows, seen = [], set()
    for row in pq.read_table(HISTORICAL).to_pylist():
        if row["cluster"] in seen or not row["first_name"]:
            continue
        seen.add(row["cluster"])
        try:
            born = date.fromisoformat(row["dob"]) if row["dob"] else None
        except ValueError:
            born = None
        sex = row["gender"] if row["gender"] in Sex.values else "unknown"
        place = row["birth_place"] or "?"
        summary = f"{row['full_name'] or ''}; {row['occupation'] or ''}, born in {place}"
        rows.append(
            {
                "person": {
                    "given_name": row["first_name"].title()[:120],
                    "family_name": (row["surname"] or "").title()[:120],
                    "sex": sex,
                    "birth_date": born,
                    "birth_date_precision": "exact",
                },
                "case": {
                    "programme": "vulnerable_migrants",
                    "vulnerabilities": ["stranded"],
                    "risk_level": "medium",
                    "summary": summary[:1000],
                },
            }
        )
        if len(rows) == count:
            break
    return rows


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def report(a: dict, b: dict, label: str) -> None:
    if a:
        print(
            f"\nHaven field sync benchmark — PostgreSQL, gunicorn 2 workers, {os.cpu_count()} cores"
        )
        c, r = a["caseload"], a["rest_anchor"]
        line = "{:<17}: {} cases, {:,} B down ({:,} B decompressed), ≈{:,} B up, {} s"
        print(f"A. caseload ({label}) over 256 kbit/s, 300 ms latency (Chromium emulation)")
        print(
            "   "
            + line.format(
                "Haven sync pull",
                c["cases"],
                c["bytes_down"],
                c["decoded"],
                c["bytes_up"],
                c["seconds"],
            )
        )
        print(
            "   "
            + line.format(
                "REST API anchor",
                r["cases"],
                r["bytes_down"],
                r["decoded"],
                r["bytes_up"],
                r["seconds"],
            )
        )
        bytes_ratio = r["bytes_down"] / max(c["bytes_down"], 1)
        time_ratio = r["seconds"] / max(c["seconds"], 0.01)
        print(f"   ratio (anchor / Haven): bytes {bytes_ratio:.1f}x, time {time_ratio:.1f}x")
        if "sync_back" in a:
            s = a["sync_back"]
            print(f"   offline work through the screens: {a['offline_work_seconds']} s")
            print(
                f"   sync back: {s['operations']} operations ({s['registered']} registrations),"
                f" {s['bytes_up']:,} B up, {s['bytes_down']:,} B down, {s['seconds']} s"
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
    server = serve(args.database, PORT, threads=8)
    try:
        if not args.skip_browser:
            # Every set: the generated caseload (pull only) and the one made elsewhere (the
            # whole day: pull, offline work, sync back).
            report(browser_run("field.0", args.cases, work_offline=False), {}, "generated")
            report(
                browser_run("field.hist", args.cases, work_offline=True),
                {},
                "historical figures (Splink's data, outside)",
            )
        b = concurrent_run(people["workers"], people["supervisor"])
    finally:
        server.terminate()
        server.wait(timeout=30)
    report({}, b, "")


if __name__ == "__main__":
    main()
