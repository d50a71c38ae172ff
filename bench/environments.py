"""The environments the benchmarks install beside Haven's own, so that an anchor's (or a data
generator's) dependencies never touch Haven's: made on first use, from pinned packages."""

import subprocess
import sys
from pathlib import Path


def ensure(folder: Path, packages: list[str], probe: str) -> Path:
    """The Python of the environment in `folder`, with `packages` installed when `probe`
    (import statements) fails there."""
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)  # noqa: S603
    if subprocess.run([str(python), "-c", probe], check=False).returncode:  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(python), "-m", "pip", "install", "--quiet", *packages], check=True
        )
    return python
