"""Run every benchmark in bench/ (see docs/benchmarks.md)."""

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.argv = [sys.argv[0], *sys.argv[1:]]
    runpy.run_path(str(Path(__file__).parent / "foundation.py"), run_name="__main__")
