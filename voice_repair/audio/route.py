"""Is the microphone stream still recording the microphone? PulseAudio may have moved it.

When a source disappears (a USB microphone pulled out), PulseAudio does not end the recording
streams on it: since version 14 its core moves them to the default source (``rescue-streams``
in daemon.conf, on by default; older versions did the same with ``module-rescue-streams``).
On a home speaker whose only real source was that microphone, the new default is a *monitor*:
the sound going out of the speaker. sounddevice -> PortAudio -> ALSA ``pulse`` plugin is never
told and blocks keep coming (the first move may pause them for about two seconds, which can
trip the stall detector, but a stream reopened then lands on the same monitor), so the
assistant would listen to its own voice ("... or say stop" cuts itself short) and to whatever
else the speaker plays, acting on requests nobody in the room made. Measured on PulseAudio 16.1
(tests/audio/test_route.py): the stream lands on a monitor within half a second of the unplug
and is moved back when the microphone returns.

So the live loop asks the sound server where its stream records from (``pactl``, a few
milliseconds) right after opening it, every few seconds, and before acting on a request, and
treats "on the wrong source" exactly like "unplugged" (``RouteGuard``): the stream is closed,
the outage logged once, and reopened with backoff until it opens on the microphone again.

"The wrong source" is, when ``$PULSE_SOURCE`` names the microphone (libpulse then asks for it
by name), any other source. Otherwise a real input is always right (someone may switch to a new
microphone while it runs), and a monitor is wrong when it carries the assistant's own speaker
(``$PULSE_SINK`` or the default sink) or is not the source the assistant first recorded (a
set-up that deliberately records a monitor, like the test rigs, keeps working). Where nothing
can be asked (no ``pactl``, no PulseAudio, a stream opened on ALSA hardware directly), nothing
is checked: the check must never keep a working microphone from being used.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import AudioDeviceError
from ..models import AudioChunk

__all__ = ["CaptureRoute", "RouteGuard", "capture_routes", "speaker_sink"]

log = logging.getLogger(__name__)

CHECK_SECONDS = 3.0
"""How often a running stream's source is checked (two ``pactl`` calls, ~5 ms each)."""


@dataclass(frozen=True)
class CaptureRoute:
    """Where one of this process's recording streams records from, as PulseAudio reports it."""

    source: str
    """PulseAudio source name, e.g. ``alsa_input.usb-...mono-fallback`` or ``speaker.monitor``."""
    monitor_of: str | None = None
    """For a monitor (the sound a sink plays, never a microphone): that sink's name."""

    @property
    def monitor(self) -> bool:
        return self.monitor_of is not None


def _pactl(*args: str) -> str | None:
    """What ``pactl ARGS`` prints, or None when there is no answer to be had."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return None
    try:
        out = subprocess.run([pactl, *args], capture_output=True, text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("cannot ask the sound server for %s: %s", " ".join(args), exc)
        return None
    return out.stdout


def _pactl_json(*args: str) -> list[dict] | None:
    """``pactl -f json ARGS`` parsed, or None when there is no answer to be had."""
    text = _pactl("-f", "json", *args)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError as exc:
        log.debug("the sound server's answer to %s is not JSON: %s", " ".join(args), exc)
        return None
    return data if isinstance(data, list) else None


def capture_routes(pid: int | None = None) -> list[CaptureRoute] | None:
    """The sources process ``pid``'s (default: this one's) recording streams are on.

    None when it cannot be known (no ``pactl``, no PulseAudio server answering); an empty list
    when the process has no stream on PulseAudio (none open, or opened on ALSA hardware).
    """
    pid = os.getpid() if pid is None else pid
    outputs = _pactl_json("list", "source-outputs")
    sources = _pactl_json("list", "sources") if outputs else []
    if outputs is None or sources is None:
        return None
    by_index = {s.get("index"): s for s in sources if isinstance(s, dict)}
    routes = []
    for out in outputs:
        props = out.get("properties") or {}
        if str(props.get("application.process.id")) != str(pid):
            continue
        source = by_index.get(out.get("source"))
        if source is None:  # it went away between the two calls: ask again next time
            continue
        # pactl names the monitored sink "monitor_source" (sic); "device.class" is the backup.
        sink = source.get("monitor_source") or None
        if sink is None and (source.get("properties") or {}).get("device.class") == "monitor":
            sink = str(source.get("name")).removesuffix(".monitor")
        routes.append(CaptureRoute(source=str(source.get("name")), monitor_of=sink))
    return routes


def speaker_sink() -> str | None:
    """The sink the assistant plays to: ``$PULSE_SINK``, else the server's default sink."""
    if os.environ.get("PULSE_SINK"):
        return os.environ["PULSE_SINK"]
    return (_pactl("get-default-sink") or "").strip() or None


class RouteGuard:
    """Raises ``AudioDeviceError`` when this process's microphone stream is on a wrong source.

    ``wanted`` defaults to ``$PULSE_SOURCE`` (read once: it is what libpulse asks for). The
    first source found right is remembered as the microphone (``home``).
    """

    def __init__(self, wanted: str | None = None, interval: float = CHECK_SECONDS) -> None:
        self.wanted = wanted if wanted is not None else (os.environ.get("PULSE_SOURCE") or None)
        self.interval = interval
        self.home: str | None = None
        """The source the first accepted stream recorded (a monitor elsewhere is wrong)."""
        self._unknown_logged = False

    def why_wrong(self, route: CaptureRoute) -> str | None:
        """Why ``route`` is not the microphone, or None when it is (see the module's rule)."""
        if self.wanted:
            return None if route.source == self.wanted else f"not {self.wanted!r}"
        if not route.monitor:
            return None
        if route.monitor_of == speaker_sink():
            return "the monitor of its own speaker"
        if self.home is not None and route.source != self.home:
            return f"a monitor, not {self.home!r}"
        return None

    def check(self) -> None:
        """Raise ``AudioDeviceError`` if a stream of ours records a source that is not the
        microphone; do nothing when the sound server cannot be asked."""
        routes = capture_routes()
        if routes is None:
            if not self._unknown_logged:
                self._unknown_logged = True
                log.debug("cannot tell which source the microphone stream records; not checked")
            return
        for route in routes:
            why = self.why_wrong(route)
            if why is not None:
                raise AudioDeviceError(
                    f"the microphone stream records {route.source!r} ({why}), where the sound "
                    "server puts it when the microphone is gone. Plug the microphone back in "
                    "(`pactl list short sources` lists what is there); listening resumes by itself."
                )
        if self.home is None and routes:
            self.home = routes[0].source

    def watch(self, chunks: Iterable[AudioChunk]) -> Iterator[AudioChunk]:
        """``chunks``, checked every ``interval`` seconds; raises ``AudioDeviceError`` (ending
        the iteration) once the stream is found on a wrong source."""
        due = time.monotonic() + self.interval
        for chunk in chunks:
            now = time.monotonic()
            if now >= due:
                due = now + self.interval
                self.check()
            yield chunk
