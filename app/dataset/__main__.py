"""Check dataset files from the command line: `python -m app.dataset app/data`."""

from __future__ import annotations

import sys
from pathlib import Path

from . import DatasetError, load_dataset
from .checks import summary


def main(argv: list[str]) -> int:
    """Load each path given (default app/data), print every problem, and return 1 if there was one."""
    failed = False
    for arg in argv or ["app/data"]:
        try:
            dataset = load_dataset(Path(arg))
        except DatasetError as exc:
            print("\n".join(exc.errors), file=sys.stderr)
            failed = True
        else:
            counts = ", ".join(f"{len(records)} {kind}" for kind, records in dataset)
            print(f"{arg}: ok ({counts})")
            print(f"{arg}: {summary(dataset)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
