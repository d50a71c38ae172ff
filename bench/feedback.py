"""Feedback intake under load: many concurrent submissions through the public form.

Starts Haven as `haven run` serves it (gunicorn, 2 worker processes) on PostgreSQL, then
sends `--submissions` messages from `--concurrency` clients at once, each as a person in a
browser would: GET the form (CSRF cookie, challenge), POST it. The clients come from 200
different loopback addresses (127.0.0.2 …) so the per-address limit stays at its real
setting (10 an hour) and still lets 1,000 through; at the end one address sends past its
limit and must be refused.

Then it checks, in the database, that exactly as many were stored as were acknowledged,
that every acknowledged tracking code opens its own stored submission (none acknowledged
without being stored), and that the codes are all distinct.

    python bench/feedback.py --submissions 1000 --concurrency 32
"""

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from foundation import _wait_until_up, ensure_database, setup_django  # noqa: E402

PORT = 8766
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 202)]
QUESTION = re.compile(r'<label for="id_answer">\D*(\d+)\D+(\d+)')
FIELD = re.compile(r'name="(token|csrfmiddlewaretoken)" value="([^"]+)"')
CODE = re.compile(r'<p class="code"[^>]*>([0-9A-Z-]+)</p>')
CATEGORIES = ["feedback", "information", "service_complaint", "misconduct", "rights_violation"]


def submit(n: int, agency_code: str, source: str) -> dict:
    """One person: open the form, answer the question, send. Returns what they were shown."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", "/feedback/", headers={"Host": "localhost"})
        form = conn.getresponse()
        html = form.read().decode()
        cookie = form.getheader("Set-Cookie", "").split(";", 1)[0]
        fields = dict(FIELD.findall(html))
        a, b = QUESTION.search(html).groups()
        body = urllib.parse.urlencode(
            {
                **fields,
                "agency": agency_code,
                "category": CATEGORIES[n % len(CATEGORIES)],
                "text": f"Message {n}: the water point at block {n % 40} has been dry for days.",
                "answer": str(int(a) + int(b)),
            }
        )
        conn.request(
            "POST",
            "/feedback/",
            body=body,
            headers={
                "Host": "localhost",
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        answer = conn.getresponse()
        page = answer.read().decode()
    finally:
        conn.close()
    code = CODE.search(page)
    return {
        "status": answer.status,
        "code": code.group(1) if code else None,
        "ms": (time.perf_counter() - started) * 1000,
    }


def serve(database_url: str):
    from haven.site.management.commands.haven_run import gunicorn_arguments

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HAVEN_LOG_LEVEL": "ERROR",
        # The bench answers the question at once; people take longer than 3 s.
        "HAVEN_FEEDBACK_MIN_SECONDS": "0",
    }
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(Path(sys.executable).parent / "gunicorn"),
            *gunicorn_arguments("127.0.0.1", PORT, workers=2, threads=4, access_log=False),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=str(ROOT),
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "HAVEN_BENCH_FEEDBACK_DATABASE_URL",
            "postgres://postgres@127.0.0.1:5432/haven_bench_feedback",
        ),
    )
    args = parser.parse_args()
    if args.submissions > len(ADDRESSES) * 10:
        raise SystemExit(f"At most {len(ADDRESSES) * 10} submissions (10 per address).")
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    from haven.accounts.models import Agency
    from haven.feedback import codes
    from haven.feedback.models import RateBucket, Submission

    call_command("migrate", verbosity=0)
    RateBucket.objects.all().delete()  # a fresh hour for every address
    stamp = time.strftime("%Y%m%d%H%M%S")
    agency = Agency.objects.create(code=f"load-{stamp}", name=f"Load test {stamp}")
    server = serve(args.database_url)
    try:
        _wait_until_up(f"http://127.0.0.1:{PORT}/healthz")
        submit(0, agency.code, "127.0.0.1")  # warm both workers' imports
        Submission.objects.filter(agency=agency).delete()
        jobs = [(n, ADDRESSES[n % len(ADDRESSES)]) for n in range(args.submissions)]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            shown = list(pool.map(lambda job: submit(job[0], agency.code, job[1]), jobs))
        elapsed = time.perf_counter() - started
        # One address past its limit: refused, and nothing it sent before is lost.
        flood = [submit(n, agency.code, "127.0.0.250").get("status") for n in range(11)]
    finally:
        server.terminate()
        server.wait(timeout=30)

    acknowledged = [s["code"] for s in shown if s["status"] == 201 and s["code"]]
    failures = [s["status"] for s in shown if s["status"] != 201]
    stored = Submission.objects.filter(agency=agency)
    # The flood's accepted sends are stored too; they are not part of the measured run.
    stored_count = stored.count() - flood.count(201)
    digests = set(stored.values_list("tracking_digest", flat=True))
    unmatched = [c for c in acknowledged if codes.digest(codes.normalise(c)) not in digests]
    times = sorted(s["ms"] for s in shown)
    print(f"\nHaven feedback intake under load — PostgreSQL, {os.cpu_count()} cores")
    print(
        f"{args.submissions} submissions from {args.concurrency} concurrent clients "
        f"({len(ADDRESSES)} addresses), 2 gunicorn workers × 4 threads"
    )
    print(f"elapsed: {elapsed:.1f} s, {args.submissions / elapsed:.1f} submissions/s")
    print(
        f"per submission (GET form + POST): median {statistics.median(times):.0f} ms, "
        f"p95 {times[max(0, round(0.95 * len(times)) - 1)]:.0f} ms"
    )
    print(f"acknowledged: {len(acknowledged)}, refused or failed: {len(failures)} {failures[:5]}")
    print(f"stored: {stored_count}, distinct codes: {len(set(acknowledged))}")
    print(f"acknowledged without being stored: {len(unmatched)}")
    print(f"flood from one address, 11 sends: {flood}")
    ok = (
        len(acknowledged) == args.submissions == stored_count == len(set(acknowledged))
        and not unmatched
        and flood[:10] == [201] * 10
        and flood[10] == 429
    )
    print(f"\n{'measure':<44} {'Haven':>8} {'goal':>8} {'ratio':>7}")
    print(
        f"{'stored / sent':<44} {stored_count:>8} {args.submissions:>8} "
        f"{stored_count / args.submissions:>7.2f}"
    )
    print(
        f"{'acknowledged / stored':<44} {len(acknowledged):>8} {stored_count:>8} "
        f"{len(acknowledged) / max(1, stored_count):>7.2f}"
    )
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
