"""Template values as the catalogue's slots: the one conversion every net's reading passes.

hassil hands back list values and the pieces of a length or a clock time ("an hour and twelve
minutes", "half past eight in the evening"); the handlers want ``minutes`` as a number and
``time`` as ``HH:MM`` (``clock.py``). Kept apart from the matcher so that the matcher stays one
reading order and nothing else.
"""

from __future__ import annotations

from .clock import clock_slot

__all__ = ["catalogue_slots"]


def catalogue_slots(types: dict[str, str], raw: dict[str, object]) -> dict[str, int | str] | None:
    """``raw`` template values as catalogue slots of ``types`` (slot name -> ``integer`` or
    another type); None for an impossible reading ("at 20 am")."""
    slots: dict[str, int | str] = {}
    try:
        for name, value in raw.items():
            if name in types:
                slots[name] = int(value) if types[name] == "integer" else str(value)  # type: ignore[call-overload]
        if "minutes_hours" in raw:  # "an hour and twelve minutes": 60 + 12
            extra = raw.get("minutes_extra", 0)
            slots["minutes"] = int(raw["minutes_hours"]) + int(extra)  # type: ignore[call-overload]
        qualifiers = [raw[k] for k in ("time_day", "time_meridiem") if k in raw]
        if "time_hour" in raw or qualifiers:
            named = None if "time_hour" in raw else str(raw.get("time", ""))
            hour, minute = raw.get("time_hour"), raw.get("time_minute", 0)
            clock = clock_slot(hour, minute, qualifiers, named=named or None)
            if clock is None:
                return None
            slots["time"] = clock
    except (TypeError, ValueError):
        # A list value that is not a number ({in: ten, out: ten}); the data's tests show it.
        return None
    return slots
