"""The unit with a home speech server configured: ``PrivateNetwork=yes`` gives way to an
allow-list of loopback and that server only, still verified clean and scored at most 2.5.

Addresses here are only parsed and written into unit files; nothing is looked up or dialled.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_service import analyze, needs_analyze, no_user_manager  # noqa: F401 (a fixture)

from voice_repair.service.unit import (
    UNIT_NAME,
    ServiceError,
    find_executable,
    render_unit,
    server_addresses,
)


def _settings(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key, []).append(value)
    return found


def _unit(tmp_path: Path, ips=()) -> Path:
    unit = tmp_path / "units" / UNIT_NAME
    unit.parent.mkdir(exist_ok=True)
    unit.write_text(render_unit(find_executable(), tmp_path / "data", server_ips=ips))
    return unit


def test_without_a_server_there_is_no_network():
    settings = _settings(render_unit(find_executable()))
    assert settings["PrivateNetwork"] == ["yes"] and "IPAddressAllow" not in settings


def test_with_a_server_only_loopback_and_that_address_are_allowed(tmp_path):
    settings = _settings(_unit(tmp_path, ["192.168.1.20"]).read_text())
    assert settings["PrivateNetwork"] == ["no"]
    assert settings["RestrictAddressFamilies"] == ["AF_UNIX AF_INET AF_INET6"]
    assert settings["IPAddressDeny"] == ["any"]
    assert settings["IPAddressAllow"] == ["localhost 192.168.1.20"]


def test_server_addresses_take_ip_literals_as_written():
    assert server_addresses("tcp://192.168.1.20:10300") == ["192.168.1.20"]
    assert server_addresses("tcp://[fd00::7]:10300") == ["fd00::7"]
    assert server_addresses("tcp://203.0.113.9:10300", allow_remote=True) == ["203.0.113.9"]


def test_a_name_that_does_not_resolve_is_a_clear_error(monkeypatch):
    def no_lookup(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr("socket.getaddrinfo", no_lookup)  # no lookup leaves this machine
    with pytest.raises(ServiceError, match=r"write the server's IP address in uri"):
        server_addresses("tcp://nas.local:10300")


@needs_analyze
def test_the_opened_unit_verifies_clean(tmp_path, no_user_manager):  # noqa: F811
    done = analyze(no_user_manager, "--user", "verify", str(_unit(tmp_path, ["192.168.1.20"])))
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip()


@needs_analyze
@pytest.mark.parametrize("mode", [["--user"], []], ids=["user", "system"])
def test_the_opened_unit_scores_at_most_2_5(tmp_path, no_user_manager, mode):  # noqa: F811
    unit = _unit(tmp_path, ["192.168.1.20"])
    done = analyze(no_user_manager, *mode, "security", "--offline=true", str(unit))
    found = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout)
    assert found and float(found.group(1)) <= 2.5, done.stdout
