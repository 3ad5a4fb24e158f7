"""Fixtures shared by every test folder."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest
import stalemounts
import timing
import xdistgroup
from intentcopy import make_small_copy

SHARED_CACHE = "VR_TEST_SHARED_CACHE"
"""The cache folder every test process of one run shares (``audio/live.py``'s
``shared_cache``): set by the process that starts the others, removed by it at the end."""
_OWN_CACHE = pytest.StashKey[str]()


MEMORY_TMP = Path("/dev/shm")
"""Where the tests' temporary folders go (``tmp_path``): a memory file system."""
ON_DISK = "VR_TEST_TMP_ON_DISK"
"""Set (to anything) to keep the temporary folders on disk, pytest's default."""
_OWN_BASETEMP = pytest.StashKey[str]()


@pytest.hookimpl(tryfirst=True)  # before pytest's own tmp_path plugin reads ``--basetemp``
def pytest_configure(config: pytest.Config) -> None:
    _interruptible()
    if hasattr(config, "workerinput"):
        return  # a worker inherits both folders from the process that started it
    _unmount_stale()
    _tmp_in_memory(config)
    if SHARED_CACHE in os.environ:
        return
    folder = tempfile.mkdtemp(prefix="vr-test-cache-")
    os.environ[SHARED_CACHE] = folder
    config.stash[_OWN_CACHE] = folder
    _compile_package()
    _check_the_shipped_data_once()


@pytest.hookimpl(wrapper=True)
def pytest_collection(session: pytest.Session):
    """While the test modules are imported, pytest may keep their rewritten form.

    pytest rewrites each test module's ``assert`` statements when it imports it and keeps the
    result beside the module (``__pycache__/*-pytest-*.pyc``), unless ``sys.dont_write_bytecode``
    is set, as ``PYTHONDONTWRITEBYTECODE`` sets it on the machines this suite runs on. Then
    every process that collects (each worker of ``make check`` and of both phases of ``make
    test``) parsed and rewrote all 150 test files again: more than half of a collection's CPU,
    about 3 s per process (``tests/cpuclock.py``, README). Only the writing is switched on, and
    only during collection: pytest checks each kept file against its source's size and time,
    so an edited test is rewritten as before; the folders are git-ignored."""
    before = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = before


def _interruptible() -> None:
    """Ctrl-C stops this run even when it was started in the background: ``make test`` starts
    the audio phase with ``&``, and a shell starts a background command with SIGINT ignored,
    which Python then leaves ignored (its workers inherit that). Without this, an interrupted
    ``make test`` could not stop that phase so that its fixtures end their sound servers."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        with contextlib.suppress(ValueError):  # not the main thread: leave it as it is
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _unmount_stale() -> None:
    """The disks ``timers/test_disk.py`` mounted in runs that were killed, unmounted before
    anything else (``stalemounts.py``): left mounted, they failed the systemd service tests."""
    for mount in stalemounts.unmount_stale():
        print(f"unmounted {mount.path}, left by an ended test run", file=sys.stderr)


PACKAGE = Path(__file__).resolve().parents[1] / "voice_repair"


def _compile_package() -> None:
    """Compile voice_repair's modules to bytecode once, for every process the tests start.

    With ``PYTHONDONTWRITEBYTECODE`` set (as on the machines this suite runs on) and the
    package installed editable, no ``__pycache__`` was ever written for it, so each of the
    hundreds of ``chat`` and ``run`` processes compiled its 70 modules from source again: a
    quarter of the CPU of a start-up here (``python -m bench startup``: 0.9-1.1 s, 0.7-0.8 s
    with the bytecode). The variable only stops writing; the processes read what is here.
    What a user's own first start would write anyway, in the git-ignored ``__pycache__``
    folders; only changed modules are compiled again. A checkout that cannot be written
    costs only the time."""
    import compileall

    with contextlib.suppress(OSError):
        compileall.compile_dir(PACKAGE, quiet=2)


SHIPPED_INTENTS = PACKAGE.parent / "intents" / "en"


def _check_the_shipped_data_once() -> None:
    """Run the shipped intent data's own tests once, here, before any worker starts, when no
    record says they passed with this code (``voice_repair/intents/passed.py``; the user's
    cache folder, as for any start).

    Every ``chat``, ``run`` and ``parse`` the tests start, and every test module that loads
    the matcher, runs them when the record is missing (after any change to the matcher's code,
    and on a fresh machine): about 7-13 s of CPU each. The first ones of a run all started
    before any had written the record, so each paid it: at the start of a ``make check`` after
    such a change, five processes of ``test_cli`` and ``test_wake`` ran the same check at once
    (about 50 s of CPU). Once here costs one check, and nothing at all when the record is there.
    A problem in the data is left to the tests that report it (``test_cli``, ``test_intents``)."""
    from voice_repair.intents.passed import has_passed

    if has_passed(SHIPPED_INTENTS):
        return
    from voice_repair.intents.matcher import IntentMatcher

    with contextlib.suppress(Exception):  # broken data or code: the tests say what is wrong
        IntentMatcher.load(SHIPPED_INTENTS)


def _tmp_in_memory(config: pytest.Config) -> None:
    """Every ``tmp_path`` in a fresh folder of ``/dev/shm`` unless ``--basetemp`` was given.

    The timer store commits to SQLite, which syncs to disk on each commit: a few ms each on
    an idle disk, far more on a shared busy one, and a conversation test makes hundreds of
    them (half of ``test_readback``'s wall time was those syncs). A memory file system makes
    the sync free and changes nothing a test checks: a process killed by a test loses nothing
    the kernel has (its page cache is the same either way); only a power cut would differ, and
    no test can cut the power. Tests that need a real file system mount one themselves
    (``timers/test_disk.py``). Only for runs that leave out the ``audio`` and ``service``
    tests (``make check``, the first phase of ``make test``): those wait for sound, not disk."""
    if config.option.basetemp or os.environ.get(ON_DISK) or not _roomy(MEMORY_TMP):
        return
    markexpr = config.option.markexpr or ""
    if not (_leaves_out("audio", markexpr) and _leaves_out("service", markexpr)):
        return  # the sound servers and the installed service: not tried from memory, kept as is
    _remove_left_behind()
    # Short: a test's folder holds sockets (gnupg's under a unit's runtime folder), whose
    # whole path must stay under 108 bytes; "/dev/shm/vrt<pid>-<8>" is shorter than pytest's
    # own "/tmp/pytest-of-root/pytest-<n>".
    folder = tempfile.mkdtemp(prefix=f"vrt{os.getpid()}-", dir=MEMORY_TMP)
    config.option.basetemp = folder
    config.stash[_OWN_BASETEMP] = folder


MEMORY_TMP_FREE = 1 << 30
"""Bytes ``/dev/shm`` must have free to hold a run's folders: a container's is often 64 MB,
which a run would fill; then the folders stay on disk."""


def _roomy(folder: Path) -> bool:
    """``folder`` can be written and has ``MEMORY_TMP_FREE`` bytes free."""
    try:
        stat = os.statvfs(folder)
    except OSError:
        return False
    return os.access(folder, os.W_OK) and stat.f_bavail * stat.f_frsize >= MEMORY_TMP_FREE


def _remove_left_behind() -> None:
    """The memory folders of runs that were killed before their end (``pytest_unconfigure``
    never ran), named by the process that made them: a folder in memory stays until the
    machine restarts. A folder whose process still runs is another run's, left alone."""
    for folder in MEMORY_TMP.glob("vrt*-*"):
        pid = folder.name[3:].split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_OWN_CACHE, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(SHARED_CACHE, None)
    basetemp = config.stash.get(_OWN_BASETEMP, None)
    if basetemp is not None:  # memory, not disk: not kept for the next run as pytest would
        shutil.rmtree(basetemp, ignore_errors=True)


AUDIO_FOLDER = Path(__file__).parent / "audio"
"""The real-audio suite: every test in it is marked ``audio`` (``audio/conftest.py``)."""


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Leave ``audio/`` unread when ``-m`` leaves out ``audio`` (``make check``, the first
    phase of ``make test``): its tests would all be deselected, but importing its modules
    loads PortAudio (``sounddevice``), a second of each worker's start-up for nothing."""
    if collection_path == AUDIO_FOLDER and _leaves_out("audio", config.option.markexpr or ""):
        return True
    return None


def _leaves_out(marker: str, markexpr: str) -> bool:
    """Whether ``markexpr`` is ``not <marker>`` and'ed with anything: no ``or``, no brackets,
    so no reading of it can select a test with that marker."""
    if " or " in f" {markexpr} " or "(" in markexpr:
        return False
    return f"not {marker}" in (part.strip() for part in markexpr.split(" and "))


LONGEST_FIRST = (
    # The real-audio and service tests (``make test``'s second phase): 30-90 s each on a quiet
    # machine, the service tests together longer.
    "service/test_service_live.py", "audio/test_whisper_live.py", "audio/test_wyoming_live.py",
    "audio/test_resilience.py", "audio/test_privacy.py", "audio/test_barge_in.py",
    "audio/test_hung_stream.py", "audio/test_end_to_end.py", "audio/test_route.py",
    "audio/test_wake_speech.py", "audio/test_turns_audio.py",
    # The rest (the first phase, ``make check``): files with a test of 10-60 s quiet.
    "asr/test_long_listening.py", "intents/test_danger_families.py", "intents/test_intents.py",
    "asr/test_prompt_guard.py", "asr/test_wyoming_cli.py", "fuzz/test_fuzz.py", "test_cli.py",
    "intents/test_semantic.py", "asr/test_asr.py", "timers/test_chaos.py",
    "speech/test_render_ahead.py", "timers/test_stop.py", "timers/test_claims.py",
    "timers/test_restart.py", "asr/test_wyoming.py",
)  # fmt: skip
"""The test files that take longest (``--durations``), longest first: handed out first, one
test at a time (``--dist loadgroup``), they end together with the short ones instead of after
them. Measured, not guessed: reorder when ``--durations=40`` says otherwise."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files of ``LONGEST_FIRST`` first, in its order, each file's tests still in file
    order: with the long ones at the end, one worker would run the last of them while the
    other sat idle."""
    here = Path(__file__).parent

    def rank(item: pytest.Item) -> int:
        name = item.path.relative_to(here).as_posix() if here in item.path.parents else ""
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order
    xdistgroup.tag_groups(config, items)


@pytest.fixture(autouse=True)
def machine():
    """A ``timing.WakeMeter`` running for the whole test, for ``timing.budget``:
    ``machine.budget(0.25)`` is a quiet machine's 0.25 s, stretched by how busy this one was
    while the test ran. Every test has one (a thread waking 50 times a second, no CPU to speak
    of), so any assertion can take its budget from it."""
    meter = timing.WakeMeter()
    timing._current.append(meter)
    yield meter
    timing._current.remove(meter)
    meter.stop()


@pytest.fixture(scope="session")
def small_intents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, valid copy of ``intents/en`` (``intentcopy.py``), made once per session; a test
    that breaks data copies it first (``shutil.copytree(small_intents, ...)``). Checked here to
    have no problem, so every problem a test finds in its copy is the piece it broke."""
    from voice_repair.intents.matcher import check_intents

    root = make_small_copy(tmp_path_factory.mktemp("small-intents") / "en")
    assert check_intents(root) == []
    return root
