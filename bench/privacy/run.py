"""Haven against anjana on the same k-anonymity tasks, in the same run.

    python bench/privacy/run.py [--repeats 5] [--million] [--anchor-million]

Adult (../shared/data/adult, k = 5, seven quasi-identifiers) at suppression limits 0, 1, 5,
10 and 100 %: each side in its own process, end to end (read the table and hierarchies,
anonymise), `--repeats` times; the median time, the level vector, the generalised
information loss (computed by the same code for both sides), the records suppressed and
the peak memory are printed with the reference optimum of ../shared/data/README.md.
`--million` adds 1,000,000 synthetic registrations with 8 quasi-identifiers for Haven;
`--anchor-million` runs anjana on them too (slow).

anjana is installed from PyPI into bench/.venv-privacy on first use.
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ANCHOR = ROOT / "bench" / ".venv-privacy"
ANCHOR_PACKAGES = ["anjana==1.2.3"]
sys.path.insert(0, str(ROOT))

from bench.environments import ensure  # noqa: E402

LIMITS = (0.0, 0.01, 0.05, 0.10, 1.0)
# ../shared/data/README.md: the optimum by exhaustive search (and ARX's Flash).
REFERENCE = {
    0.0: ((4, 0, 0, 1, 3, 2, 2), 0.6333),
    0.01: ((3, 0, 0, 1, 3, 1, 1), 0.3183),
    0.05: ((3, 0, 0, 0, 1, 1, 1), 0.1765),
    0.10: ((3, 0, 0, 0, 1, 1, 0), 0.1620),
    1.0: ((3, 0, 0, 0, 1, 0, 0), 0.1592),
}


def ensure_anchor() -> Path:
    return ensure(ANCHOR, ANCHOR_PACKAGES, "import anjana")


def side(python: Path, script: str, dataset: str, limit: float, k: int, repeats: int) -> dict:
    command = [str(python), str(HERE / script), dataset, str(limit), str(k), str(repeats)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"{script} failed on {dataset} at {limit}:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["median"] = statistics.median(result["times"])
    return result


def line(name: str, r: dict) -> str:
    return (
        f"  {name:7} levels {tuple(r['levels'])}  loss {r['loss']:.4f}  suppressed "
        f"{r['suppressed']:>6}  classes {r['classes']:>5}  median {r['median']:.3f} s  "
        f"peak {r['peak_mb']:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--million", action="store_true")
    parser.add_argument("--anchor-million", action="store_true")
    args = parser.parse_args()
    anchor = ensure_anchor()
    here = Path(sys.executable)
    print("Adult, k = 5, seven quasi-identifiers")
    for limit in LIMITS:
        haven = side(here, "haven_side.py", "adult", limit, 5, args.repeats)
        anjana = side(anchor, "anjana_side.py", "adult", limit, 5, args.repeats)
        levels, loss = REFERENCE[limit]
        optimum = tuple(haven["levels"]) == levels and round(haven["loss"], 4) == loss
        print(f"suppression limit {limit:.0%}: reference {levels} loss {loss}")
        print(line("Haven", haven) + f"  optimum {'yes' if optimum else 'NO'}")
        print(line("anjana", anjana))
        print(
            f"  ratio Haven / anjana: time {haven['median'] / anjana['median']:.3f}, "
            f"loss {haven['loss'] / anjana['loss']:.3f}; Haven evaluated "
            f"{haven['evaluated']} of {haven['lattice']} nodes, verified {haven['verified']}"
        )
    if args.million:
        print("Synthetic, 1,000,000 registrations, k = 5, eight quasi-identifiers, limit 5 %")
        haven = side(here, "haven_side.py", "synthetic_1m", 0.05, 5, 1)
        print(line("Haven", haven) + f"  evaluated {haven['evaluated']} of {haven['lattice']}")
        print(
            f"  of which anonymise (after reading the table) "
            f"{statistics.median(haven['anonymise']):.1f} s; verified {haven['verified']}"
        )
        if args.anchor_million:
            anjana = side(anchor, "anjana_side.py", "synthetic_1m", 0.05, 5, 1)
            print(line("anjana", anjana))
            print(f"  ratio Haven / anjana: time {haven['median'] / anjana['median']:.3f}")


if __name__ == "__main__":
    main()
