"""The house stays as the README draws it: each stage imports only what sits below it, no circles.

Reads every module under ``voice_repair/`` as text (``ast``), including imports inside functions,
so a lazy import cannot slip across a line either. A failure names the module and what it may
import instead; change ``ALLOWED`` only together with the README's architecture section.
"""

from __future__ import annotations

import ast
import functools
import importlib
import types
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "voice_repair"

FOUNDATION = {"voice_repair", "errors", "models", "checksums", "homenet", "switches"}
"""What every part may import: the package root (``SOURCE_ROOT``), the error types, the
boundary dataclasses, the file digests that check a model before it is loaded, and the
home-network rule for a Wyoming server (``homenet``), and the benches' on/off switches
(``switches``)."""

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "models": set(),
    "checksums": set(),
    "homenet": set(),
    "switches": set(),
    "datafiles": set(),
    "config": set(),
    "audio": set(),
    "asr": set(),
    "intents": {"datafiles"},
    "content": {"datafiles", "speech.markup"},
    "skill": set(),
    "timers": set(),
    "speech": {"audio"},
    "session": {"skill"},
    "service": {"config", "audio", "speech"},
    "doctor": {"config", "audio", "speech", "timers", "intents", "content", "asr"},
    "live": {"config", "audio", "asr", "intents", "speech", "service"},
    "app": {"datafiles", "config", "content", "intents", "skill", "session", "timers", "speech",
            "live", "doctor", "service", "audio", "asr"},
    "cli": {"app"},
    "__main__": {"cli"},
}  # fmt: skip
"""Part (a stage package or a top-level module) -> the other parts it may import besides the
foundation. An entry may name one module of a part (``speech.markup``): the content checks parse
the silences with the speaker's own parser, and need nothing else of speech. No recognizer imports
the matcher (``app.py`` hands it the phrases), no stage imports ``app`` or ``live``."""


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every voice_repair module this file imports, as absolute dotted names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "voice_repair"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "voice_repair":
                continue
            found.add(target)
            # `from . import x` / `from .pkg import mod` may name modules
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                if _path_of(candidate) is not None:
                    found.add(candidate)
    return found


def _path_of(module: str) -> Path | None:
    rel = Path(*module.split(".")[1:])
    for path in (PACKAGE / rel / "__init__.py", PACKAGE / rel.with_suffix(".py")):
        if module != "voice_repair" and path.is_file():
            return path
    return None


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "voice_repair"


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


@functools.cache
def _graph() -> dict[str, set[str]]:
    """Module -> the voice_repair modules it imports. Parsed when a test here first asks, not
    at import: every process that collects the suite imports this file (both workers of each
    phase, the audio ones too, which run none of these tests), and parsing the whole package
    was a second of CPU each."""
    return {name: _imports(path) for name, path in MODULES.items()}


def test_every_part_is_in_the_table():
    parts = {_part(m) for m in MODULES} - {"voice_repair"}
    assert parts <= set(ALLOWED), f"add {sorted(parts - set(ALLOWED))} to ALLOWED (and the README)"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_stay_within_the_lines(module):
    part = _part(module)
    allowed = ALLOWED.get(part, set())
    crossing = []
    for target in sorted(_graph()[module]):
        inside = target.removeprefix("voice_repair.")
        if _part(target) in {*FOUNDATION, part, *allowed} or any(
            inside.startswith(a + ".") or inside == a for a in allowed
        ):
            continue
        crossing.append(target)
    assert not crossing, (
        f"{module} imports {crossing}; {part} may import only "
        f"{sorted(FOUNDATION | allowed)} (tests/test_architecture.py ALLOWED)"
    )


def test_no_import_circles():
    """Module by module, lazy imports included: a circle is a knot a newcomer cannot untie."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        stack.append(module)
        for target in sorted(_graph().get(module, ())):
            if target not in _graph() or target == module:
                continue
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = 2
        return None

    for module in sorted(_graph()):
        if module not in state and (cycle := visit(module)):
            pytest.fail("import circle: " + " -> ".join(cycle))


def test_the_table_is_a_one_way_street():
    """The allowed parts themselves form no circle, so the stages can be drawn in one order."""
    plain = {part: {a.split(".")[0] for a in allowed} for part, allowed in ALLOWED.items()}
    done: set[str] = set()

    def depth(part: str, seen: tuple[str, ...]) -> None:
        assert part not in seen, "ALLOWED has a circle: " + " -> ".join((*seen, part))
        if part not in done:
            for other in plain.get(part, ()):
                depth(other, (*seen, part))
            done.add(part)

    for part in plain:
        depth(part, ())


@pytest.mark.parametrize(
    "package", sorted(m for m, p in MODULES.items() if p.name == "__init__.py")
)
def test_every_exported_name_is_what_it_says(package):
    """Each ``__all__`` name resolves, even after every submodule was imported: a submodule named
    like an export (``config/describe.py`` beside ``describe``) would shadow the function."""
    module = importlib.import_module(package)
    for name in sorted(MODULES):
        child = name[len(package) + 1 :]
        if name.startswith(package + ".") and "." not in child and child != "__main__":
            importlib.import_module(name)
    for name in getattr(module, "__all__", []):
        value = getattr(module, name)
        assert not isinstance(value, types.ModuleType), f"{package}.{name} is a module"
