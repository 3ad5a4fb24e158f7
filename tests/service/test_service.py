"""The systemd user unit: valid, hardened, and installable where no user manager runs."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from voice_repair.service.unit import (
    UNIT_NAME,
    UNIT_TEMPLATE,
    ServiceError,
    find_executable,
    install_service,
    render_unit,
)

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


@pytest.fixture
def no_user_manager(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An environment where `systemctl --user` finds no manager: an empty runtime folder.

    This also keeps the install test from enabling a real service on a developer's machine.
    """
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    return runtime


def analyze(runtime: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(runtime), "SYSTEMD_COLORS": "0"}
    return subprocess.run(
        [ANALYZE or "systemd-analyze", *args], capture_output=True, text=True, env=env, timeout=60
    )


def rendered(tmp_path: Path, exe: Path | None = None) -> Path:
    unit = tmp_path / "units" / UNIT_NAME
    unit.parent.mkdir(exist_ok=True)
    unit.write_text(render_unit(exe or find_executable(), tmp_path / "data"), encoding="utf-8")
    return unit


def fake_program(folder: Path) -> Path:
    folder.mkdir(parents=True)
    program = folder / "voice-repair"
    program.write_text("#!/bin/sh\nexit 0\n")
    program.chmod(0o755)
    return program


@needs_analyze
def test_rendered_unit_verifies_clean(tmp_path: Path, no_user_manager: Path) -> None:
    done = analyze(no_user_manager, "--user", "verify", str(rendered(tmp_path)))
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "" and done.stdout.strip() == ""


@needs_analyze
def test_paths_with_spaces_and_percent_signs_survive_rendering(
    tmp_path: Path, no_user_manager: Path
) -> None:
    program = fake_program(tmp_path / "my 100% apps")
    unit = rendered(tmp_path, program)
    done = analyze(no_user_manager, "--user", "verify", str(unit))
    assert done.returncode == 0, done.stderr
    assert 'ExecStart="' in unit.read_text()


def test_rendering_moves_the_writable_data_folder_and_keeps_the_cache_folder(tmp_path: Path):
    """``render_unit`` rewrites every ``ReadWritePaths=`` line; the cache folder is asked for by
    ``CacheDirectory=``, which it must leave alone."""
    text = render_unit(Path("/opt/vr/voice-repair"), tmp_path / "data")
    assert re.findall(r"(?m)^ReadWritePaths=.*$", text) == [f"ReadWritePaths=-{tmp_path}/data"]
    assert re.findall(r"(?m)^CacheDirectory=.*$", text) == ["CacheDirectory=voice-repair"]


@needs_analyze
def test_verify_notices_a_missing_program(tmp_path: Path, no_user_manager: Path) -> None:
    """The check above can fail: a unit naming a program that is not there is refused."""
    unit = rendered(tmp_path, tmp_path / "nowhere" / "voice-repair")
    done = analyze(no_user_manager, "--user", "verify", str(unit))
    assert done.returncode != 0
    assert "nowhere/voice-repair" in done.stderr


@needs_analyze
@pytest.mark.parametrize("mode", [["--user"], []], ids=["user", "system"])
def test_security_exposure_is_at_most_2_5(tmp_path: Path, no_user_manager: Path, mode) -> None:
    done = analyze(no_user_manager, *mode, "security", "--offline=true", str(rendered(tmp_path)))
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found, done.stdout + done.stderr
    assert float(found.group(1)) <= 2.5, done.stdout


def test_the_unit_asks_for_what_the_issue_names() -> None:
    settings = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in UNIT_TEMPLATE.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert settings["Restart"] == "on-failure"
    assert settings["PrivateNetwork"] == "yes"
    assert settings["RestrictAddressFamilies"] == "AF_UNIX"
    assert settings["ProtectHome"] == "read-only"
    # The one other writable folder: the record that the intent data passed its tests
    # (intents/passed.py), so a restart does not run them again.
    assert settings["CacheDirectory"] == "voice-repair"
    assert "pipewire-pulse.socket" in settings["After"]
    assert "pulseaudio.socket" in settings["After"]
    assert settings["WantedBy"] == "default.target"


def test_install_without_a_user_manager_writes_the_unit_and_says_what_to_run(
    tmp_path: Path, no_user_manager: Path
) -> None:
    program = fake_program(tmp_path / "venv" / "bin")
    data = tmp_path / "share" / "voice-repair"
    config = tmp_path / "config.toml"
    messages = install_service(tmp_path / "units", program, data, config)
    text = "\n".join(messages)
    unit = (tmp_path / "units" / UNIT_NAME).read_text()
    assert f"ExecStart={program} --config {config} run" in unit
    assert f"ReadWritePaths=-{data}" in unit
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert "systemctl --user daemon-reload" in text
    assert f"systemctl --user enable --now {UNIT_NAME}" in text
    assert "loginctl enable-linger" in text
    assert not list((tmp_path / "units").glob("*.partial"))


def test_install_refuses_a_program_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="make install"):
        install_service(tmp_path / "units", tmp_path / "missing" / "voice-repair", tmp_path)
    assert not (tmp_path / "units" / UNIT_NAME).exists()


MDWE_PROBE = textwrap.dedent(
    """
    import ctypes, sys
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
        sys.exit(3)
    import cffi
    ffi = cffi.FFI()
    try:
        ffi.callback("int(int)", lambda x: x)
    except MemoryError:
        sys.exit(1)
    sys.exit(0)
    """
)


def test_memory_deny_write_execute_is_still_out_of_reach() -> None:
    """The unit leaves out MemoryDenyWriteExecute= because sounddevice's audio callbacks are cffi
    ``ffi.callback()``s, which need write+execute memory. Linux's PR_SET_MDWE is the same
    protection; when a cffi callback works under it, this fails: add the setting to the unit."""
    done = subprocess.run([sys.executable, "-c", MDWE_PROBE], timeout=60)
    if done.returncode == 3:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux < 6.3)")
    assert done.returncode == 1, "cffi callbacks work without W+X memory now"
    assert "MemoryDenyWriteExecute" not in re.sub(r"(?m)^#.*$", "", UNIT_TEMPLATE.read_text())


def fake_systemctl(folder: Path, enable_rc: int) -> Path:
    """A stand-in for `systemctl`: no user manager can run on the test machine, so this records
    the calls install_service makes and answers like a reachable manager would."""
    folder.mkdir()
    log = folder / "calls.log"
    script = folder / "systemctl"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        'case "$*" in *enable*) echo "Failed to enable unit: Access denied" >&2; '
        f"exit {enable_rc};; esac\nexit 0\n"
    )
    script.chmod(0o755)
    return log


@pytest.mark.parametrize("enable_rc", [0, 1], ids=["enabled", "enable-fails"])
def test_install_with_a_user_manager_reloads_and_enables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, enable_rc: int
) -> None:
    log = fake_systemctl(tmp_path / "bin", enable_rc)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    program = fake_program(tmp_path / "venv" / "bin")
    text = "\n".join(install_service(tmp_path / "units", program, tmp_path / "data"))
    calls = log.read_text().splitlines()
    assert calls[1:3] == ["--user daemon-reload", f"--user enable --now {UNIT_NAME}"]
    if enable_rc == 0:
        assert f"Enabled and started {UNIT_NAME}" in text
    else:
        assert "Access denied" in text
        assert f"systemctl --user enable --now {UNIT_NAME}" in text
    assert "loginctl enable-linger" in text
