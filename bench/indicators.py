"""The indicators over 1,000,000 cases on PostgreSQL, table by table.

    python bench/foundation.py --cases 1000000 --parts none     # seeds haven_bench once
    python bench/indicators.py [--rounds 3]

For one user of each role that reads reports (supervisor: office scope; analyst and
protection officer: agency scope, about 500,000 cases), the time `indicators()` takes to
compute each table alone and the whole report as the page asks for it (by sex, and by age
band), median of the rounds. There is no open-source anchor to run beside it; the goal is
the foundation's dashboard goal (1 s) for the page. Each figure is given twice: with the
small-cell protection as shipped (the interval audit by linear programming included) and
with the equations-only audit of before, so that the audit's cost is read in one run.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "HAVEN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/haven_bench"
        ),
    )
    args = parser.parse_args()
    from foundation import setup_django

    setup_django(args.database_url)
    from haven.accounts import policy
    from haven.accounts.models import User
    from haven.cases.models import Case
    from haven.evidence import indicators
    from haven.privacy import small_cells

    shipped_widen = small_cells._widen

    def median_time(user, options, only=None) -> str:
        figures = []
        for widen in (shipped_widen, lambda full, published, threshold: published):
            small_cells._widen = widen
            times = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                indicators.indicators(user, options, only=only)
                times.append(time.perf_counter() - start)
            figures.append(statistics.median(times))
        small_cells._widen = shipped_widen
        return f"{figures[0]:7.2f} s  (equations only {figures[1]:5.2f} s)"

    for role in ("supervisor", "analyst", "protection_officer"):
        user = User.objects.filter(grants__role__code=role).order_by("id").first()
        if user is None:
            raise SystemExit("No such user: seed with bench/foundation.py first.")
        cases = Case.objects.filter(policy.scope_q(user, "report.view")).count()
        print(f"{role} ({user.username}), {cases:,} cases in the reporting scope")
        for name in indicators.TABLES:
            print(f"  {name:<18} {median_time(user, indicators.Options(), only={name})}")
        for by in ("sex", "age"):
            print(f"  whole page, by {by:<4} {median_time(user, indicators.Options(by=by))}")


if __name__ == "__main__":
    main()
