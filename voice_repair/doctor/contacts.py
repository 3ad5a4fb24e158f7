"""The safety routes the assistant would speak: one country's set, and nothing left to chance.

Someone in danger hears these numbers, so the doctor says which country's lines are used and
which routes fall back to general advice, and fails when routes are set without a country (then
only those are named, which is rarely what a household meant).
"""

from __future__ import annotations

from dataclasses import asdict

from ..config.settings import Config
from ..content.contacts import NOT_SET
from ..content.loader import load_content
from ..content.rules import ROUTE_KEYS
from ..errors import VoiceRepairError
from . import checks
from .checks import Check, CheckFn

__all__ = ["check_contacts", "CONTACT_CHECKS"]

_NAMES = {
    "emergency_number": "emergency",
    "crisis_line": "crisis line",
    "dv_hotline": "domestic-violence line",
    "dv_text": "domestic-violence text line",
}


def check_contacts(config: Config) -> Check:
    """Which country's lines are spoken, which routes are configured, which get general advice."""
    contacts = config.contacts
    overrides = {k: v for k, v in asdict(contacts).items() if v and k != "country"}
    try:
        content = load_content(
            checks.INTENTS_ROOT / config.language, overrides, country=contacts.country
        )
    except VoiceRepairError as exc:
        return Check("safety contacts", False, str(exc), "fix [contacts] in the config file")
    chosen = content.chosen
    assert chosen is not None
    said = [f"{_NAMES[k]} {chosen.spoken[k]!r}" for k in ROUTE_KEYS if chosen.spoken[k]]
    missing = [k for k in ROUTE_KEYS if chosen.sources[k] == NOT_SET]
    if chosen.spoken["dv_hotline"] and "dv_text" in missing:  # a phone line is enough
        missing.remove("dv_text")
    advice = ""
    if missing:
        advice = f"; general advice instead of a {', '.join(_NAMES[k] for k in missing)}"
    if chosen.country is None:
        return Check(
            "safety contacts",
            not missing,
            "no country set; only the configured routes are said: " + "; ".join(said) + advice,
            'set [contacts] country (e.g. country = "GB") so the other lines of that country are '
            "said too, or set " + ", ".join(missing) + " yourself",
        )
    where = "the default" if contacts.country is None else "configured"
    detail = f"{chosen.country} lines ({where}): " + "; ".join(said) + advice
    if contacts.country is None:
        detail += '. Not in the United States? Set [contacts] country, e.g. country = "GB"'
    return Check("safety contacts", True, detail)


CONTACT_CHECKS: tuple[CheckFn, ...] = (check_contacts,)
