"""``voice-repair service install``: the systemd user unit, filled in for this machine.

The unit in ``systemd/voice-repair.service`` is a template written for the common case (program in
``~/.local/bin``, data in ``~/.local/share/voice-repair``). Installing renders it with the real path
of the program that is running now (usually the project's ``.venv/bin/voice-repair``) and the real
data folder, because the hardened unit can write nowhere else. It is a *user* unit: the sound
server lives in the user's session. Without ``loginctl enable-linger`` that session, and the
assistant with it, only exists while someone is logged in, so every install says so.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import SOURCE_ROOT
from ..errors import VoiceRepairError

__all__ = [
    "UNIT_NAME",
    "UNIT_TEMPLATE",
    "ServiceError",
    "default_unit_dir",
    "find_executable",
    "in_temporary_folder",
    "render_unit",
    "server_addresses",
    "install_service",
    "uninstall_service",
    "user_manager_reachable",
]

UNIT_NAME = "voice-repair.service"
UNIT_TEMPLATE = SOURCE_ROOT / "systemd" / UNIT_NAME
"""The unit as kept in the repository (the package is installed from its checkout)."""

_SYSTEMCTL_TIMEOUT = 30.0


class ServiceError(VoiceRepairError):
    """The service cannot be installed as asked."""


def default_unit_dir() -> Path:
    """``$XDG_CONFIG_HOME/systemd/user``: where a user's own units live."""
    value = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(value) if value and Path(value).is_absolute() else Path.home() / ".config"
    return base / "systemd" / "user"


def find_executable() -> Path:
    """The ``voice-repair`` program belonging to the Python that runs now, else the one on PATH."""
    beside = Path(sys.executable).parent / "voice-repair"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("voice-repair")
    if found:
        return Path(found)
    raise ServiceError(
        "cannot find the installed voice-repair program; run `make install` in the project "
        "folder first (it creates .venv/bin/voice-repair)"
    )


def in_temporary_folder(path: Path) -> bool:
    """Whether ``path`` lies under /tmp or /var/tmp: hidden from the service (PrivateTmp=yes)
    and emptied at boot."""
    return any(path.is_relative_to(t) for t in ("/tmp", "/var/tmp"))


def _unit_path(path: Path) -> str:
    """A path as a unit file needs it: ``%`` doubled, quoted when it holds spaces or quotes."""
    text = str(path).replace("%", "%%")
    if re.search(r"[\s\"'\\]", text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def render_unit(
    exe: Path,
    data_dir: Path | None = None,
    config: Path | None = None,
    template: Path | None = None,
    server_ips: Sequence[str] = (),
) -> str:
    """The unit text with ``ExecStart=`` running ``exe`` and ``data_dir`` as the writable folder.

    ``server_ips``: the home speech server's addresses (``server_addresses``), when one is
    configured; the unit's network then opens for them only (``_open_network``)."""
    text = (template or UNIT_TEMPLATE).read_text(encoding="utf-8")
    command = f"{_unit_path(exe)} run"
    if config is not None:
        command = f"{_unit_path(exe)} --config {_unit_path(config)} run"
    text, found = re.subn(r"(?m)^ExecStart=.*$", lambda _: f"ExecStart={command}", text)
    if found != 1:
        raise ServiceError(f"{template or UNIT_TEMPLATE}: expected one ExecStart= line")
    if data_dir is not None:
        line = f"ReadWritePaths=-{_unit_path(data_dir)}"
        text = re.sub(r"(?m)^ReadWritePaths=.*$", lambda _: line, text)
    return _open_network(text, server_ips) if server_ips else text


def _open_network(text: str, ips: Sequence[str]) -> str:
    """``PrivateNetwork=yes`` gives way to an allow-list of loopback and ``ips``.

    Internet sockets are allowed, ``IPAddressDeny=any`` with ``IPAddressAllow=`` names the only
    addresses. systemd enforces that list for a system service; a user manager cannot (it is
    BPF firewalling), and then the assistant's own home-network rule (``homenet``) is what
    keeps it to that one server. ``systemd-analyze security`` scores the result 1.6.
    """
    swaps = {
        "PrivateNetwork": "PrivateNetwork=no",
        "RestrictAddressFamilies": "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
    }
    for key, line in swaps.items():
        text, found = re.subn(rf"(?m)^{key}=.*$", lambda _, line=line: line, text)
        if found != 1:
            raise ServiceError(f"the unit template should have one {key}= line")
    allow = (
        '# The home Wyoming server(s) of the settings (engine or voice = "wyoming") only.\n'
        "IPAddressDeny=any\n"
        f"IPAddressAllow=localhost {' '.join(ips)}\n"
    )
    return text.replace("PrivateNetwork=no\n", "PrivateNetwork=no\n" + allow, 1)


def server_addresses(uri: str, allow_remote: bool = False) -> list[str]:
    """The IP addresses of the home speech server at ``uri``, for the unit's allow-list.

    An IP address is taken as written; a name is looked up now and only its home addresses are
    kept (all of them with ``allow_remote``). Raises ServiceError when there are none.
    """
    import ipaddress

    from ..homenet.address import is_home_ip, parse_uri

    endpoint = parse_uri(uri)
    literal = endpoint.host.split("%", 1)[0]
    try:
        ipaddress.ip_address(literal)
    except ValueError:
        pass  # a name: look it up below
    else:
        if allow_remote or is_home_ip(literal):
            return [literal]
    try:
        found = socket.getaddrinfo(endpoint.host, endpoint.port, type=socket.SOCK_STREAM)
    except OSError as exc:
        found, why = [], str(exc)
    else:
        why = "it resolves to no home address"
    ips = sorted({str(info[4][0]).split("%", 1)[0] for info in found})
    ips = ips if allow_remote else [ip for ip in ips if is_home_ip(ip)]
    if not ips:
        raise ServiceError(
            f"cannot open the service's network to {endpoint.host} ({why}): write the server's "
            f"IP address in uri (tcp://192.168.1.20:{endpoint.port}), or install again when "
            "the name resolves"
        )
    return ips


def _systemctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemctl", "--user", *args],
        capture_output=True,
        text=True,
        timeout=_SYSTEMCTL_TIMEOUT,
        check=False,
    )


def user_manager_reachable() -> bool:
    """Whether ``systemctl --user`` can talk to this user's service manager from here."""
    if shutil.which("systemctl") is None:
        return False
    try:
        return _systemctl("show-environment").returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _linger_message() -> str:
    user = getpass.getuser()
    if Path("/var/lib/systemd/linger", user).exists():
        return (
            f"Lingering is already on for {user}: the service starts at boot and keeps running "
            "without anyone logged in (`loginctl enable-linger` did that)."
        )
    return (
        "To start it at boot and keep it running when nobody is logged in, run once:\n"
        f"  sudo loginctl enable-linger {user}"
    )


def install_service(
    unit_dir: Path | None = None,
    exe: Path | None = None,
    data_dir: Path | None = None,
    config: Path | None = None,
    server_ips: Sequence[str] = (),
) -> list[str]:
    """Write the rendered unit and enable it; returns what happened and what is left to do.

    ``data_dir`` is created (0700) so the unit's one writable folder exists. ``config``, when
    given, is passed to the service as ``--config``. ``server_ips``: a configured home speech
    server's addresses (``server_addresses``), the only ones the unit may reach. Enabling needs
    a reachable user manager (``systemctl --user``); without one the messages give the exact
    commands to run.
    """
    from ..config.settings import default_data_dir

    exe = (exe or find_executable()).absolute()
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        raise ServiceError(f"{exe} is not an executable program; run `make install` first")
    unit_dir = unit_dir or default_unit_dir()
    data_dir = (data_dir or default_data_dir()).absolute()
    text = render_unit(exe, data_dir, config.absolute() if config else None, server_ips=server_ips)
    try:
        unit_dir.mkdir(parents=True, exist_ok=True)
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = unit_dir / UNIT_NAME
        partial = target.with_suffix(".service.partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)
    except OSError as exc:
        raise ServiceError(f"cannot write the service unit into {unit_dir}: {exc}") from exc
    messages = [f"Wrote {target} (runs {exe}; may write only to {data_dir})."]
    if server_ips:
        messages.append(
            f"Its network is open only to the home Wyoming server ({', '.join(server_ips)}): "
            "what is sent there goes there, and only there."
        )
    if in_temporary_folder(exe):
        messages.append(
            f"Warning: {exe} is under a temporary folder, which the service cannot see "
            "(PrivateTmp=yes) and which is emptied at boot. Put the project in your home folder "
            "and run `make install` and this command there."
        )
    if os.geteuid() == 0:
        messages.append(
            "Note: you are root, so this is root's own service. Install it as the user whose "
            "session has the sound server (without sudo)."
        )
    commands = ["systemctl --user daemon-reload", f"systemctl --user enable --now {UNIT_NAME}"]
    if user_manager_reachable():
        for command in commands:
            done = _systemctl(*command.split()[2:])
            if done.returncode != 0:
                detail = (done.stderr or done.stdout).strip()
                messages.append(f"`{command}` failed: {detail}")
                messages.append(
                    f"Fix that, then run: {' && '.join(commands[commands.index(command) :])}"
                )
                break
        else:
            messages.append(f"Enabled and started {UNIT_NAME}.")
            messages.append(f"Follow its log with: journalctl --user -u {UNIT_NAME} -f")
    else:
        messages.append(
            "No systemd user manager is reachable from here (no login session, e.g. under sudo "
            "or in a container). Log in as this user and run:"
        )
        messages.extend(f"  {command}" for command in commands)
    messages.append(_linger_message())
    return messages


def uninstall_service(unit_dir: Path | None = None) -> list[str]:
    """Stop, disable and remove the unit; the data folder and config are kept."""
    target = (unit_dir or default_unit_dir()) / UNIT_NAME
    messages: list[str] = []
    if user_manager_reachable():
        _systemctl("disable", "--now", UNIT_NAME)
        messages.append(f"Stopped and disabled {UNIT_NAME}.")
    if target.exists():
        target.unlink()
        messages.append(f"Removed {target}.")
    else:
        messages.append(f"{target} was not installed.")
    if user_manager_reachable():
        _systemctl("daemon-reload")
    return messages
