"""The reliability page's tables, in the instrument's order of variables and groups, from a stored
ReliabilityReport's data (scoring.reliability_store): α per variable and respondent group (nationally, and
per province), and the items with their flags."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    cells: list  # per group (in `groups` order): (group name, {"alpha", "k", "n"} or None: asked < 2)
    province: str = ""
    province_name: str = ""


def _cells(rows: list[dict], groups: dict[str, str]) -> list:
    by_group = {r["group"]: r for r in rows}
    return [(name, by_group.get(code)) for code, name in groups.items()]


def variable_rows(data: dict) -> tuple[list[str], list[Row]]:
    """(group codes, a row per variable): the national α per group."""
    groups = dict(data.get("group_names", []))
    names = dict(data.get("variable_names", []))
    rows = []
    for code, name in names.items():
        mine = [r for r in data.get("variables", []) if r["variable"] == code]
        if mine:
            rows.append(Row(code, name, _cells(mine, groups)))
    return list(groups), rows


def province_rows(data: dict) -> list[Row]:
    """A row per province and variable (provinces in code order), α per group."""
    groups = dict(data.get("group_names", []))
    names = dict(data.get("variable_names", []))
    provinces = data.get("province_names", {})
    keyed: dict[tuple[str, str], list[dict]] = {}
    for r in data.get("provinces", []):
        keyed.setdefault((r["province"], r["variable"]), []).append(r)
    order = {code: i for i, code in enumerate(names)}
    return [
        Row(
            variable,
            names.get(variable, variable),
            _cells(rows, groups),
            province,
            provinces.get(province, ""),
        )
        for (province, variable), rows in sorted(
            keyed.items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 0))
        )
    ]


def item_rows(data: dict) -> list[dict]:
    """The items (a question within a variable and group), flagged ones first within their variable."""
    order = {code: i for i, (code, _name) in enumerate(data.get("variable_names", []))}
    groups = dict(data.get("group_names", []))
    items = [dict(r, group_name=groups.get(r["group"], r["group"])) for r in data.get("items", [])]
    return sorted(
        items, key=lambda r: (order.get(r["variable"], 0), r["group"], not r["flagged"], r["question"])
    )
