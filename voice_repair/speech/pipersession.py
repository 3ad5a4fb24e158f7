"""Loading Piper's voice so that it gives memory back between phrases and can be stopped.

Piper's own ``PiperVoice.load`` keeps onnxruntime's arena at its largest; this loader shrinks it
after each phrase (``_ShrinkingSession``) and sets run options per rendering, whose
``terminate`` flag stops a rendering ahead for a reply (``turns.py``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

__all__ = ["load_piper_voice"]

log = logging.getLogger(__name__)


class _ShrinkingSession:
    """An onnxruntime session whose every ``run`` hands its unused arena memory back.

    Piper calls ``session.run(outputs, feed)`` without run options, so the option that shrinks
    the CPU arena after each phrase is added here; everything else is the wrapped session.
    ``options`` is set for each rendering (``fresh_options``): its ``terminate`` flag is how a
    rendering ahead is stopped for a reply.
    """

    def __init__(self, session: Any) -> None:
        self._session = session
        self.options = self.fresh_options()

    @staticmethod
    def fresh_options() -> Any:
        import onnxruntime

        options = onnxruntime.RunOptions()
        options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        return options

    def run(self, output_names: Any, input_feed: Any) -> Any:
        return self._session.run(output_names, input_feed, self.options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _pin_malloc_mmap_threshold(size: int = 1 << 20) -> None:
    """Make glibc serve (and give back) every allocation of ``size`` bytes or more by mmap.

    glibc raises its mmap threshold each time a large block is freed, up to 32 MB, so the
    arena chunks that shrinking hands back would stay in the heap, fragmented, and the peak
    would rise instead of fall. Process-wide, but only large blocks are affected. Skipped
    where the C library is not glibc.
    """
    import ctypes
    import platform

    if platform.libc_ver()[0] != "glibc":
        return
    m_mmap_threshold = -3  # from glibc's <malloc.h>
    try:
        pinned = ctypes.CDLL(None).mallopt(m_mmap_threshold, size)
    except (OSError, AttributeError):
        pinned = 0
    if not pinned:  # costs memory, not function: Piper still speaks
        log.debug("could not pin malloc's mmap threshold; Piper may hold more memory")


def load_piper_voice(model: Path) -> Any:
    """Load a Piper voice as ``PiperVoice.load`` does, but returning memory between phrases.

    Measured with every reply rendered twice (process holding only the voice, 136 MB loaded):
    Piper's defaults end at 344-359 MB (VmRSS = VmHWM: the arena keeps the biggest buffers
    it ever needed). Arena shrinking after each run plus the pinned mmap threshold: peak
    302-308 MB, 142 MB between phrases, ~1.1x render time. Turning the arena off instead
    (``enable_cpu_mem_arena=False``, mem pattern off) peaked *higher*, 424 MB (glibc
    fragmentation); off plus the pinned threshold: 286-296 MB but 1.5-3x render time.
    The config is read first, so a broken JSON file fails before the large model is read.
    """
    import json

    import onnxruntime
    from piper import PiperConfig, PiperVoice

    with open(f"{model}.json", encoding="utf-8") as config_file:
        config = PiperConfig.from_dict(json.load(config_file))
    _pin_malloc_mmap_threshold()
    session = onnxruntime.InferenceSession(
        str(model), sess_options=onnxruntime.SessionOptions(), providers=["CPUExecutionProvider"]
    )
    return PiperVoice(config=config, session=_ShrinkingSession(session))
