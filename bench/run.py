"""Run every bench/*.py script in turn (`make bench`). Extra arguments go to each script.

.venv/bin/python bench/run.py              # all
.venv/bin/python bench/run.py pages        # only bench/pages.py
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = [a for a in sys.argv[1:] if not a.startswith("-")]
    scripts = sorted(
        p for p in HERE.glob("*.py") if p.name != "run.py" and not p.name.startswith("_")
    )
    if wanted:
        scripts = [p for p in scripts if p.stem in wanted]
    failed = []
    for script in scripts:
        print(f"== bench/{script.name}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(
            f"== bench/{script.name}: exit {rc} after {time.perf_counter() - t0:.0f}s", flush=True
        )
        if rc:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
