"""Run every benchmark in bench/ (see docs/benchmarks.md)."""

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    for name in ("foundation.py", "indicators.py", "feedback.py"):
        sys.argv = [name]
        try:
            runpy.run_path(str(Path(__file__).parent / name), run_name="__main__")
        except SystemExit as done:
            if done.code:
                raise
