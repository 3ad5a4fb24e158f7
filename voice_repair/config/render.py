"""The effective settings printed back as TOML, each line saying where its value came from.

What ``voice-repair config`` prints; valid TOML, so it can be saved as a starting config file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass

from .file import DEFAULT, toml_value
from .settings import Config

__all__ = ["describe"]


def describe(config: Config, sources: Mapping[str, str] | None = None) -> str:
    """The effective settings as valid TOML, each line commented with where its value came from.

    Settings that are not set (None) are shown commented out, so the output can be saved as a
    starting config file.
    """
    sources = sources or {}
    top: list[str] = []
    tables: list[str] = []

    def line(out: list[str], name: str, dotted: str, value: object) -> None:
        text = f"# {name} = (not set)" if value is None else f"{name} = {toml_value(value)}"
        out.append(f"{text:<44} # from {sources.get(dotted, DEFAULT)}")

    for f in fields(config):
        value = getattr(config, f.name)
        if is_dataclass(value):
            tables.append(f"\n[{f.name}]")
            for sub in fields(value):
                line(tables, sub.name, f"{f.name}.{sub.name}", getattr(value, sub.name))
        else:
            line(top, f.name, f.name, value)
    return "\n".join(top + tables + _where_words_go(config)) + "\n"


def _where_words_go(config: Config) -> list[str]:
    """A closing comment saying whether anything leaves this speaker, and to where."""
    rec, voice = config.recognition, config.voice
    out = [""]
    if rec.engine == "wyoming" and rec.uri:
        out += [
            f'# engine = "wyoming": each request\'s audio travels over {_network(rec)}',
            f"# to {rec.uri}, and only there, to be written down; this speaker's own engine",
            "# decides when that server cannot be reached.",
            '# To keep every word here: engine = "auto".',
        ]
    else:
        out.append("# Nothing anyone says leaves this speaker: recognition runs here.")
    if voice.voice == "wyoming" and voice.uri:
        out += [
            f'# voice = "wyoming": the text of each reply travels over {_network(voice)}',
            f"# to {voice.uri}, and only there, to be spoken; the local voice speaks when it",
            '# cannot be reached. To speak from here: voice = "auto".',
        ]
    return out


def _network(table) -> str:
    if table.allow_remote:
        return "the network (allow_remote = true: perhaps outside the home)"
    return "the home network"
