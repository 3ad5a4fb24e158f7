"""``python -m bench [NAME ...]``: run every benchmark module in this package, or the named ones.

Each benchmark is a module ``bench/<name>.py`` with a ``main(argv: list[str]) -> int``; arguments
after ``--`` are passed to it (e.g. ``python -m bench timers -- --count 50``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names, rest = argv, []
    if "--" in argv:
        cut = argv.index("--")
        names, rest = argv[:cut], argv[cut + 1 :]
    here = str(Path(__file__).parent)
    found = sorted(m.name for m in pkgutil.iter_modules([here]) if not m.name.startswith("_"))
    unknown = [n for n in names if n not in found]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(found)}")
        return 2
    status = 0
    for name in names or found:
        module = importlib.import_module(f"bench.{name}")
        status |= module.main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
