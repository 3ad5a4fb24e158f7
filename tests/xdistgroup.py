"""``xdist_group`` markers honoured again under ``--dist loadgroup`` (pytest 9 with xdist 3.8).

pytest-xdist's worker gives a grouped test the node id ``<id>@<group>`` by setting the item's
``_nodeid``, and its ``loadgroup`` scheduler sends every id with the same ``@<group>`` to one
worker. pytest 9 keeps the id in ``_id`` (a ``NodeId``), so xdist's assignment is ignored: no
id had a group, and the tests of ``service/test_service_live.py``, which share one installed
service and must run in file order, were spread over both workers; each worker installed the
service for its own throwaway user (twice the set-up, a minute each) and each ran only some of
the steps the next one expects. This gives the id its group the way xdist meant to.
"""

from __future__ import annotations

import pytest


def group_of(item: pytest.Item) -> str | None:
    """The ``xdist_group`` name(s) of ``item`` joined as xdist joins them, or None."""
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return "_".join(sorted(names)) if names else None


def tag_groups(config: pytest.Config, items: list[pytest.Item]) -> int:
    """On a worker of a ``--dist loadgroup`` run, each grouped item's id ends in ``@<group>``
    (left alone where xdist already did it, as with pytest 8). Returns how many were tagged."""
    if not getattr(config.option, "loadgroup", False):
        return 0
    tagged = 0
    for item in items:
        group = group_of(item)
        if group is None or item.nodeid.endswith(f"@{group}"):
            continue
        grouped = f"{item.nodeid}@{group}"
        node_id = getattr(item, "_id", None)
        if node_id is not None and hasattr(type(node_id), "parse"):
            item._id = type(node_id).parse(grouped)  # pytest 9: the id is a NodeId
        else:
            item._nodeid = grouped
        tagged += 1
    return tagged
