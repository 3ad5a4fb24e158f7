"""``python -m bench [NAME ...]``: run every benchmark module in this package, or the named ones.

Each benchmark is a module ``bench/<name>.py`` with a ``main(argv: list[str]) -> int``; one
with ``EXPLICIT_ONLY = True`` runs only when named. Arguments after ``--`` are passed to it
(e.g. ``python -m bench timers -- --count 50``).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def _module(name: str):
    return importlib.import_module(f"bench.{name}")


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
    if not names:  # the long ones (a soak runs for an hour) only when named
        names = [n for n in found if not getattr(_module(n), "EXPLICIT_ONLY", False)]
    for name in names:
        status |= _module(name).main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
