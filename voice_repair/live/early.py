"""Acting on "stop" and danger before a home server has answered, and only on those.

With recognition on a Wyoming server, each stretch of speech is read twice: by the speaker's own
engine at once (an ``Utterance`` with ``early=True``) and by the server, whose transcript comes
later, or never (``asr.wyoming``). The early reading is acted on here for two requests only:

* **"stop" while the assistant speaks**: the speaker is silenced at once, and nothing else
  happens. The server's reading of the same speech then decides it as usual, heard as said over
  the assistant's speech (``Heard.while_speaking``): a real "stop" becomes the session's stop,
  and anything else is ignored as every request said over the assistant is. So a wrong local
  "stop" costs at most the rest of a sentence, never a request or a change of mode.
* **Danger**: answered at once through the session's front door, with the same rules as any
  sentence (the wake phrase, the mode, only "stop" while speaking). The same speech is not
  answered again: the server's reading of it, whatever it says, is dropped, and so is a second
  early reading of it. Danger is never undone by a second opinion, and the early reading is the
  local engine's own, so danger is recognised at least as often as with the local engine alone.

Everything else in an early reading is ignored: the server's transcript decides it.

Which reading belongs to which speech: readings whose times overlap. Final readings come in
stream order, so what lies wholly before one can be forgotten.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..models import Heard, Reply, Utterance
from ..switches import switch_on
from .wake import SAFETY_INTENT, STOP_INTENT

__all__ = ["EarlyAnswers", "STOP_FIRST_VARIABLE", "VoiceDoor", "stop_first_by_default"]

log = logging.getLogger(__name__)

SLOW_CHECK_SECONDS = 0.1
"""A route check (``check``: two ``pactl`` calls) longer than this is logged with its time."""

STOP_FIRST_VARIABLE = "VOICE_REPAIR_STOP_FIRST"
"""A measurement switch (``bench/acoustic.py --stopfirst on,off``): ``0`` checks the route
before a stop said over speech cuts it, as before; ``1`` (or unset) cuts it first."""


def stop_first_by_default() -> bool:
    """On, unless ``$VOICE_REPAIR_STOP_FIRST`` is ``0`` (another value is a mistake, said)."""
    return switch_on(STOP_FIRST_VARIABLE, "cut the speech first", "check the route first")


@dataclass(frozen=True)
class _Acted:
    utterance: Utterance
    """The early reading acted on (its times say which speech it was)."""
    danger: bool
    """Answered as danger (else: "stop" silenced the speaker)."""


def _overlap(a: Utterance, b: Utterance) -> bool:
    return a.start < b.end and b.start < a.end


class EarlyAnswers:
    """What was done with early readings, and what that means for the final ones."""

    def __init__(self, answer: Callable[[Heard], bool], silence: Callable[[], None]) -> None:
        """``answer``: the session's front door (True when it acted); ``silence``: cut off the
        speaker's current speech."""
        self._answer = answer
        self._silence = silence
        self._acted: list[_Acted] = []

    def early(self, utterance: Utterance, heard: Heard) -> bool:
        """Act on an early reading if it is "stop" said over speech, or danger; True if acted."""
        match = heard.match
        if match is None or match.intent not in (STOP_INTENT, SAFETY_INTENT):
            return False
        if any(a.danger and _overlap(a.utterance, utterance) for a in self._acted):
            return False  # that speech was answered already
        if match.intent == STOP_INTENT:
            if not heard.while_speaking:
                return False  # nothing to silence: the final reading decides
            self._silence()
            log.info("stop heard here: silenced before the server answered")
            self._acted.append(_Acted(utterance, danger=False))
            return True
        if not self._answer(heard):
            return False
        log.info("danger heard here: answered before the server answered")
        self._acted.append(_Acted(utterance, danger=True))
        return True

    def final(self, utterance: Utterance, heard: Heard) -> Heard | None:
        """The final reading as the session should hear it; None when it was answered early."""
        self._acted = [a for a in self._acted if a.utterance.end > utterance.start]
        mine = [a for a in self._acted if _overlap(a.utterance, utterance)]
        if any(a.danger for a in mine):
            log.info("the server's reading of speech answered as danger: not answered again")
            return None
        if mine:  # "stop" cut the assistant short here: it was said over its speech
            return replace(heard, while_speaking=True)
        return heard


class VoiceDoor:
    """The voice loop's ``on_utterance``: an utterance understood once (``Understanding``),
    early readings kept to "stop" and danger (``EarlyAnswers``), then the session's front door.
    Returns whether it acted."""

    def __init__(
        self,
        understood,  # live.understanding.Understanding
        hear: Callable[[Heard], Reply | None],
        silence: Callable[[], None],
        check: Callable[[], None] = lambda: None,
        echo_cancelled: bool = False,
        stop_first: bool = True,
    ) -> None:
        """``hear``: ``Session.hear``; ``silence``: the speaker's ``stop``; ``check``: raises
        when what is heard no longer comes from the microphone (``audio.route.RouteGuard``);
        ``echo_cancelled``: its own voice is taken out of the microphone, so what is heard over
        its speech may be danger (``Heard.echo_cancelled``); ``stop_first``: a "stop" said
        over speech cuts it before the route is checked."""
        self._understood = understood
        self._echo_cancelled = echo_cancelled
        self._hear = hear
        self._silence = silence
        self._stop_first = stop_first
        self._check = check
        self.early = EarlyAnswers(lambda h: hear(h) is not None, silence)
        self.sentence_over: Callable[[Utterance], str | None] = lambda _u: None
        """Why a stop the recognizer read over its voice was a sentence the echo path heard
        there (``live.bargein.BargeIn.sentence_over``), None when it may be a stop: everyday
        talk over its voice must not cut it."""

    def __call__(self, utterance: Utterance, speaking: bool) -> bool:
        heard = replace(
            self._understood.heard(utterance),
            while_speaking=speaking,
            echo_cancelled=self._echo_cancelled,
        )
        if utterance.early:
            if heard.match is not None:
                self._checked()
            return self.early.early(utterance, heard)
        final = self.early.final(utterance, heard)
        if final is None:
            return False  # answered already, from the early reading
        if final.match is None:
            log.info("utterance without a request (%.1f s)", utterance.end - utterance.start)
            return False
        if final.while_speaking and final.match.intent == STOP_INTENT:
            why = self.sentence_over(utterance)
            if why is not None:
                log.info("a stop read over its own speech in a sentence: not acted on (%s)", why)
                return False
        if self._stop_first and final.while_speaking and final.match.intent == STOP_INTENT:
            # Cut the speech first: the route check spawns ``pactl`` twice (30 ms median, 0.3 s
            # p95 at load 6.5, seconds at load 15), and silence is safe whatever the route; the
            # session decides the rest after it.
            self._silence()
            log.info("stop over speech: cut before the route check")
        self._checked()
        # The front door: wake phrase, danger, mode; "stop" silences the speaker there.
        return self._hear(final) is not None

    def _checked(self) -> None:
        """The route check (heard from the microphone, not from a monitor it was moved to),
        its time logged when slow."""
        began = time.monotonic()
        self._check()
        took = time.monotonic() - began
        if took > SLOW_CHECK_SECONDS:
            log.info("the microphone's route took %.2f s to check", took)
