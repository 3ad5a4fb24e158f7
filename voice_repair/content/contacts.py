"""Emergency and support routes: one coherent set per country, from ``contacts.yaml``.

Someone who tells of danger must never hear one country's emergency number beside another
country's crisis line. So the routes are chosen as a set: a country's lines (``[contacts]
country``), each one replaceable by a configured phrase; or, when routes are configured without a
country, those routes alone (the reply gives general advice for the rest). Every chosen route
keeps where it came from, for ``voice-repair config`` and ``doctor``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..datafiles import LDict
from ..errors import ConfigError, DataProblem
from .rules import OPTIONAL_ROUTE_KEYS, ROUTE_KEYS, check_text

__all__ = ["ContactTable", "Contacts", "read_table", "choose", "describe_contacts", "NOT_SET"]

NOT_SET = "not set"
"""The source of a route nobody gave: the reply speaks general advice instead."""


@dataclass(frozen=True)
class ContactTable:
    """The routes of ``contacts.yaml``: every country's spoken lines and the default country."""

    countries: dict[str, dict[str, str]]
    """Country code ("US") -> route name -> spoken phrase; a route may be absent."""
    default_country: str
    support_contact: str = ""
    """The data's local support contact (usually "": none)."""


@dataclass(frozen=True)
class Contacts:
    """The routes this assistant speaks, with where each came from."""

    spoken: dict[str, str]
    """Route name -> spoken phrase; "" for a route that is not set."""
    sources: dict[str, str] = field(default_factory=dict)
    """Route name -> where it came from: "US lines in contacts.yaml", a config file:line, or
    ``NOT_SET``."""
    country: str | None = None
    """The country whose lines are used; None when only configured routes are."""


def read_table(data: LDict, where: str) -> tuple[ContactTable | None, list[DataProblem]]:
    """The country table from the parsed ``contacts.yaml``; problems with their lines."""
    problems: list[DataProblem] = []
    countries, default = data.get("countries"), data.get("default_country")
    if not isinstance(countries, LDict) or not countries:
        line = data.key_lines.get("countries", 0)
        return None, [DataProblem(where, line, "expected a mapping of countries under countries:")]
    table: dict[str, dict[str, str]] = {}
    for code, routes in countries.items():
        line = countries.key_lines.get(code, countries.line)
        if not re.fullmatch(r"[A-Z]{2}", str(code)) or not isinstance(routes, LDict):
            msg = f"{code}: expected a two-letter code (GB) with its routes under it"
            problems.append(DataProblem(where, line, msg))
            continue
        table[str(code)] = {}
        for key, value in routes.items():
            at = routes.key_lines.get(key, line)
            if key not in ROUTE_KEYS:
                known = ", ".join(ROUTE_KEYS)
                msg = f"{code}: unknown route {key!r}; known: {known}"
                problems.append(DataProblem(where, at, msg))
                continue
            problems += check_text(value, where, at)
            if isinstance(value, str) and re.search(r"\d", value):
                msg = f"{code}.{key}: write numbers in words (nine one one), so they are read "
                msg += "digit by digit"
                problems.append(DataProblem(where, at, msg))
            table[str(code)][str(key)] = str(value) if isinstance(value, str) else ""
        if "emergency_number" not in routes:
            problems.append(DataProblem(where, line, f"{code}: missing 'emergency_number'"))
    if default not in table:
        line = data.key_lines.get("default_country", 0)
        msg = f"default_country {default!r} is not listed under countries:"
        problems.append(DataProblem(where, line, msg))
    support = data.get("support_contact", "")
    if not isinstance(support, str):
        line = data.key_lines.get("support_contact", 0)
        problems.append(DataProblem(where, line, 'support_contact: expected text ("" for none)'))
        support = ""
    return ContactTable(table, str(default), support), problems


def choose(
    table: ContactTable,
    country: str | None,
    overrides: Mapping[str, str],
    where: Mapping[str, str],
    speakable,
) -> Contacts:
    """The routes to speak: ``country``'s lines (or the default's, when nothing is configured),
    each replaced by its override; with overrides but no country, the overrides alone.

    ``where`` names where each configured value came from (``contacts.country`` ->
    "config.toml:12"); ``speakable`` turns digits in a configured phrase into words. Raises
    ``ConfigError`` for a country without lines, an unknown route or an empty one.
    """
    for key, value in overrides.items():
        if key not in (*ROUTE_KEYS, *OPTIONAL_ROUTE_KEYS):
            known = ", ".join((*ROUTE_KEYS, *OPTIONAL_ROUTE_KEYS))
            raise ConfigError(f"unknown contact {key!r} in the configuration; known: {known}")
        if not isinstance(value, str):
            raise ConfigError(f"contact {key!r} must be text in quotes, got {value!r}")
        if key in ROUTE_KEYS and not value.strip():
            msg = f"contact {key!r} cannot be empty: it is read out to people who need help"
            raise ConfigError(msg)
    if country is not None and country not in table.countries:
        at = where.get("contacts.country", "the configuration")
        known = ", ".join(table.countries)
        raise ConfigError(
            f"{at}: contacts.country: {country!r} has no contact lines; use one of {known}, "
            "or leave it out and set each number yourself"
        )
    routes_configured = any(key in overrides for key in ROUTE_KEYS)
    if country is None and not routes_configured:
        country = table.default_country
    base = table.countries.get(country, {}) if country else {}
    spoken: dict[str, str] = {}
    sources: dict[str, str] = {}
    for key in (*ROUTE_KEYS, *OPTIONAL_ROUTE_KEYS):
        if key in overrides:
            spoken[key] = " ".join(speakable(overrides[key]).split())
            sources[key] = where.get(f"contacts.{key}", "the configuration")
        elif key in base:
            spoken[key], sources[key] = base[key], f"{country} lines in contacts.yaml"
        elif key == "support_contact" and table.support_contact:
            spoken[key], sources[key] = table.support_contact, "contacts.yaml"
        else:
            spoken[key], sources[key] = "", NOT_SET
    return Contacts(spoken, sources, country)


def describe_contacts(chosen: Contacts) -> str:
    """The routes as spoken, each with its source, as TOML comments (``voice-repair config``)."""
    if chosen.country:
        head = f"# Said for safety requests: the {chosen.country} lines, with the settings above:"
    else:
        head = "# Said for safety requests: only the routes set above (no country is set):"
    lines = [head]
    for key, spoken in chosen.spoken.items():
        if spoken:
            lines.append(f"#   {key}: {spoken!r}  (from {chosen.sources[key]})")
        elif key == "support_contact":
            lines.append(f"#   {key}: not set (the support reply mentions therapy without one)")
        else:
            lines.append(f"#   {key}: not set (general advice is said instead)")
    return "\n".join(lines)
