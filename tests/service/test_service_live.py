"""The systemd user service, for real: a fresh user installs it and it survives what homes do.

A throwaway user gets a real systemd user manager and its own PulseAudio (see
``service_rig.py``), then runs ``voice-repair service install`` exactly as the README says. The
service must come up listening on the virtual microphone, come back after ``kill -9``, keep
running through a sound server restart and a microphone pulled out and plugged back in, run
with the hardening the unit asks for, and answer a spoken request aloud with Piper.

The tests share one installed service and run in file order (each checks its own start state).
Without root or systemd they skip; a misbehaving service fails them.
"""

from __future__ import annotations

import os
import re
import sys
import time
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from service_rig import MIC_MODULE, SetupError, UserManager, missing_prerequisites
from timing import budget

from voice_repair.service.unit import in_temporary_folder

pytestmark = [pytest.mark.service, pytest.mark.slow, pytest.mark.xdist_group("service-live")]
"""``xdist_group``: with ``pytest -n --dist loadgroup`` (``make test``) the tests, which share one
installed service and run in file order, all go to the same worker, in order."""

PROGRAM = Path(sys.executable).parent / "voice-repair"
"""The checkout's own program (``.venv/bin/voice-repair``): what ``service install`` installs."""

UNIT = "voice-repair.service"
RESTART_SEC = 5.0
START_UP = 60.0
"""A bound for "it never came up", not a speed check (how fast it starts is the benches'
job): about 2 s here when quiet (intent data, pocketsphinx, espeak-ng), but at load 17 every
start-up took longer than the 15 s this used to be, and all seven tests that wait for one
failed; ``budget`` stretches it further on a busy machine."""

CONFIG = """\
[recognition]
engine = "pocketsphinx"
[voice]
voice = "{voice}"
"""

REQUEST = "what can you do"
MIC = "mic"
"""The virtual microphone's PulseAudio source (service_rig.MIC_MODULE)."""


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UserManager]:
    reason = missing_prerequisites()
    if reason:
        pytest.skip(reason)
    rig = UserManager(tmp_path_factory.mktemp("service"))
    try:
        try:
            rig.start()
            rig.open_path_to(PROGRAM)
        except (SetupError, OSError) as exc:
            pytest.skip(f"cannot set up a systemd user manager here: {exc}")
        works = rig.as_user(str(PROGRAM), "--version")
        if works.returncode != 0:
            pytest.skip(f"the test user cannot run {PROGRAM}: {works.stderr.strip()}")
        yield rig
    finally:
        rig.close()


@pytest.fixture(scope="module")
def service(rig: UserManager) -> UserManager:
    """The unit installed and started by the product's own command, as the user would."""
    rig.write_file(".config/voice-repair/config.toml", CONFIG.format(voice="espeak"))
    # Test only: there is no journald here, so the service's output goes to a file we can read.
    rig.write_file(
        f".config/systemd/user/{UNIT}.d/test-log.conf",
        f"[Service]\nStandardOutput=append:{log_path(rig)}\nStandardError=append:{log_path(rig)}\n",
    )
    checkout = Path(__file__).resolve().parents[2]
    if in_temporary_folder(checkout):
        # Test only: a clone under /tmp (as in some CI runs) is hidden from the service by
        # PrivateTmp=yes; a real install lives in the user's home (`service install` warns).
        rig.write_file(
            f".config/systemd/user/{UNIT}.d/test-checkout.conf",
            f"[Service]\nBindReadOnlyPaths={checkout}\n",
        )
    done = rig.as_user(str(PROGRAM), "service", "install")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Enabled and started {UNIT}" in done.stdout, done.stdout
    return rig


def log_path(rig: UserManager) -> Path:
    return rig.runtime / "voice-repair-test.log"


def show(rig: UserManager) -> dict[str, str]:
    out = rig.systemctl("show", "-p", "ActiveState,SubState,MainPID,NRestarts,Result", UNIT)
    return dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)


def capture_source(rig: UserManager, pid: int) -> str | None:
    """The PulseAudio source that process ``pid`` is recording from now (None: not recording)."""
    sources = rig.pactl("list", "short", "sources").stdout.splitlines()
    names = {line.split()[0]: line.split()[1] for line in sources}
    listing = rig.pactl("list", "source-outputs").stdout
    for block in listing.split("Source Output #")[1:]:
        source = re.search(r"^\s*Source: (\d+)", block, re.M)
        owner = re.search(r'application\.process\.id = "(\d+)"', block)
        if source and owner and int(owner.group(1)) == pid:
            return names.get(source.group(1))
    return None


def starts(rig: UserManager) -> int:
    """How many times the service has finished starting up (its "Listening." line)."""
    return service_log(rig).count("Listening.")


def outages(rig: UserManager) -> int:
    """How many times the service has logged its microphone as lost."""
    return service_log(rig).count("microphone lost (")


def outage_open(rig: UserManager) -> bool:
    """The running process has logged a lost microphone and not (yet) its return."""
    text = service_log(rig).rpartition("Listening.")[2]  # since the last start-up
    return text.count("microphone lost (") > text.count("microphone is back after")


def wait_listening(rig: UserManager, timeout: float, after: int = 0) -> int:
    """Wait until the service is active, has started more than ``after`` times, its main
    process records the virtual microphone, and it has no outage open; return that PID."""
    deadline = time.monotonic() + timeout
    state: dict[str, str] = {}
    while time.monotonic() < deadline:
        state = show(rig)
        pid = int(state.get("MainPID", "0"))
        ready = state.get("ActiveState") == "active" and pid and starts(rig) > after
        if ready and capture_source(rig, pid) == MIC and not outage_open(rig):
            return pid
        time.sleep(0.25)
    raise AssertionError(f"not listening after {timeout:.0f} s: {state}\n{service_log(rig)}")


def records(rig: UserManager) -> dict[str, int]:
    """The service's records of a clean intent-data check (``intents/passed.py``), by name,
    with their modification times: one is written when the data's tests ran and passed."""
    folder = rig.home / ".cache/voice-repair/checked"
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} if folder.is_dir() else {}


def cache_entries(rig: UserManager) -> list[str]:
    """What is in the service user's ``~/.cache``: only the service's own folder may be."""
    cache = rig.home / ".cache"
    return sorted(p.name for p in cache.iterdir()) if cache.is_dir() else []


def service_log(rig: UserManager) -> str:
    path = log_path(rig)
    return path.read_text(errors="replace") if path.exists() else "(no service output yet)"


def test_install_starts_a_listening_service(service: UserManager) -> None:
    unit = (service.home / f".config/systemd/user/{UNIT}").read_text()
    assert f"ExecStart={PROGRAM} run\n" in unit
    assert (service.home / f".config/systemd/user/default.target.wants/{UNIT}").is_symlink()
    wait_listening(service, budget(START_UP))
    assert show(service)["NRestarts"] == "0", service_log(service)
    store = service.home / ".local/share/voice-repair/timers.sqlite"
    assert store.is_file()  # the job store was created in the writable data folder
    # The data's tests ran at this first start and passed: recorded in the cache folder
    # systemd made writable (CacheDirectory=), so the next start skips them.
    assert len(records(service)) == 1


def test_hardening_applies(service: UserManager) -> None:
    pid = wait_listening(service, budget(START_UP))
    proc = Path(f"/proc/{pid}")
    interfaces = [
        line.split(":")[0].strip() for line in (proc / "net/dev").read_text().splitlines()[2:]
    ]
    assert interfaces == ["lo"]  # PrivateNetwork=yes
    status = (proc / "status").read_text()
    assert re.search(r"^NoNewPrivs:\s+1$", status, re.M)
    assert re.search(r"^Seccomp:\s+2$", status, re.M)  # SystemCallFilter= is a filter
    assert re.search(r"^CapEff:\s+0+$", status, re.M)
    assert (proc / "uid_map").read_text().split() == [str(service.uid), str(service.uid), "1"]
    # Inside the service's own namespaces: HOME is read-only, the data folder is writable.
    enter = ["nsenter", "-t", str(pid), "-U", "-m", "--preserve-credentials", "sh", "-c"]
    home = service.as_user(*enter, 'touch "$HOME/probe"')
    assert home.returncode != 0 and "Read-only file system" in home.stderr
    data = service.as_user(
        *enter, 'p="$HOME/.local/share/voice-repair/probe"; touch "$p" && rm "$p"'
    )
    assert data.returncode == 0, data.stderr
    # The cache folder systemd made for it is writable; the rest of ~/.cache is not.
    cache = service.as_user(*enter, 'p="$HOME/.cache/voice-repair/probe"; touch "$p" && rm "$p"')
    assert cache.returncode == 0, cache.stderr
    other = service.as_user(*enter, 'touch "$HOME/.cache/probe"')
    assert other.returncode != 0 and "Read-only file system" in other.stderr
    assert cache_entries(service) == ["voice-repair"]


def test_kill_9_brings_it_back(service: UserManager) -> None:
    pid = wait_listening(service, budget(START_UP))
    before = int(show(service)["NRestarts"])
    started = starts(service)
    checked = records(service)
    assert len(checked) == 1, checked
    killed_at = time.monotonic()
    service.as_user("kill", "-KILL", str(pid))
    # Coming back is the point, not how fast: a start-up after a kill took over 15 s once on a
    # quiet machine (2026-12-06), when the read-only home kept the record below from being
    # written and every start ran the intent data's tests again.
    new_pid = wait_listening(service, RESTART_SEC + budget(2 * START_UP), after=started)
    took = time.monotonic() - killed_at
    assert new_pid != pid
    assert int(show(service)["NRestarts"]) == before + 1
    assert took >= RESTART_SEC - 0.5  # systemd waited RestartSec= (no restart storm)
    # The restart trusted the record: the data's tests did not run (they would touch it again).
    assert records(service) == checked
    print(f"kill -9: listening again after {took:.1f} s")


def test_sound_server_restart_keeps_it_running(service: UserManager) -> None:
    """The server restarts while the service is listening; the same process records again.

    Not here: a ``kill -9`` of PulseAudio. Then PortAudio's thread may spin, printing hundreds
    of MB of "Expression ... failed" to standard error before the stall is noticed, and the
    service comes back only through its watchdog (exit 75, a fresh process ~20 s later; see
    voice_repair.service.abandon and tests/service/test_backoff.py). In one
    clean-clone run that flood (440 MB into this test's log file) made the test slow and red, so
    the in-process recovery from a killed server is tested on the private server
    (tests/audio/test_resilience.py) and this case is left to the note and systemd/README.md."""
    pid = wait_listening(service, budget(START_UP))
    restarts = show(service)["NRestarts"]
    lost = outages(service)
    assert service.systemctl("restart", "pulseaudio.service").returncode == 0
    again = wait_listening(service, budget(30.0))
    assert again == pid, service_log(service)  # the same process, recording again
    assert show(service)["NRestarts"] == restarts
    assert outages(service) <= lost + 1  # logged once, not once per retry


def test_microphone_removed_and_restored(service: UserManager) -> None:
    pid = wait_listening(service, budget(START_UP))
    restarts = show(service)["NRestarts"]
    lost = outages(service)
    modules = service.pactl("list", "short", "modules").stdout.splitlines()
    mic = next(line.split()[0] for line in modules if "source_name=mic" in line)
    assert service.pactl("unload-module", mic).returncode == 0  # the USB microphone is pulled
    time.sleep(3.0)  # gone long enough for the service to notice (2 s without audio)
    assert capture_source(service, pid) != MIC
    assert show(service)["ActiveState"] == "active"
    assert service.pactl("load-module", *MIC_MODULE.split()).returncode == 0
    assert wait_listening(service, budget(30.0)) == pid
    assert show(service)["NRestarts"] == restarts
    # PulseAudio either moves the stream to another source and back (nothing to log) or drops
    # it (the service logs the loss once and reopens it).
    assert outages(service) <= lost + 1


def _speak(text: str, path: Path) -> Path:
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # no onnxruntime files in our HOME
    from voice_repair.speech.engines import PiperTTS

    samples, rate = PiperTTS(variation=False).render(text)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(np.concatenate([np.zeros(rate // 2, np.int16), samples]).tobytes())
    path.chmod(0o644)
    return path


def loud_seconds(record: Path) -> float:
    """How long the 16 kHz recording is louder than quiet room noise."""
    samples = np.fromfile(record, dtype="<i2") if record.exists() else np.zeros(0, np.int16)
    return float((np.abs(samples.astype(np.int32)) > 300).sum()) / 16000


def ask(rig: UserManager, request: Path, record: Path, wait: float = 8.0) -> float:
    """Play ``request`` into the room; return for how many seconds the speaker then talked."""
    parec = rig.start_as_user(
        "parec", "--device=speaker.monitor", "--format=s16le", "--rate=16000", "--channels=1",
        "--raw", str(record),
    )  # fmt: skip
    try:
        time.sleep(0.5)
        assert rig.as_user("paplay", "--device=room", str(request)).returncode == 0
        deadline = time.monotonic() + wait
        while loud_seconds(record) < 1.5 and time.monotonic() < deadline:
            time.sleep(0.25)
        return loud_seconds(record)
    finally:
        parec.terminate()
        parec.wait(5)


def test_answers_aloud_with_piper_under_the_hardening(service: UserManager) -> None:
    """Piper (onnxruntime) under ProtectHome=read-only: it must load, speak, and leave nothing
    in HOME (onnxruntime >= 1.32 would write a device ID and telemetry into ~/.cache)."""
    service.write_file(".config/voice-repair/config.toml", CONFIG.format(voice="piper"))
    started = starts(service)
    assert service.systemctl("restart", UNIT).returncode == 0
    request = _speak(REQUEST, service.runtime / "request.wav")
    os.chown(request, service.uid, service.gid)
    wait_listening(service, budget(START_UP), after=started)
    heard = 0.0
    for attempt in range(3):  # a request not understood is repeated, as a person would
        heard = ask(service, request, service.runtime / f"speaker{attempt}.raw")
        if heard >= 1.5:
            break
    assert heard >= 1.5, f"no spoken answer (loud for {heard:.2f} s)\n{service_log(service)}"
    assert cache_entries(service) == ["voice-repair"]  # nothing of onnxruntime's


def test_the_log_has_no_errors(service: UserManager) -> None:
    """What the service printed over all the tests above: no traceback, no error, no library
    refusing a write. (Microphone outages are warnings, as they should be; PortAudio's own
    "Expression ... failed" lines when the sound server dies under it cannot be caught.)"""
    text = service_log(service)
    assert "Listening." in text
    bad = [
        line
        for line in text.splitlines()
        if re.search(r"Traceback|ERROR|CRITICAL|\[[EW]:onnxruntime|Read-only file system", line)
        or re.search(r"Permission denied|Failed to persist", line)
    ]
    assert not bad, bad[:20]
