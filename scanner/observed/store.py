"""The observed part of a run in the inventory (`inventory.record` calls `write` inside the
run's transaction): the table holds what the last run with `--observed` saw, replaced whole,
so a run without exports keeps the previous picture. Never a value: none is ever read."""

from __future__ import annotations

import json
import sqlite3

from scanner.observed.result import Observation

_INSERT = (
    "INSERT INTO observed (repository, identity, state, kind, name, provider, scope, rules, "
    "route_to, how, live, created, last_used, unused_days, key_age_days, export, exported, "
    "creator, owner, run) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def write(db: sqlite3.Connection, observation: Observation, run: int) -> None:
    db.execute("DELETE FROM observed")
    db.executemany(
        _INSERT,
        (
            (s.repository, s.identity, s.state, s.kind, s.name,
             o.provider if o else None, o.scope if o else None, json.dumps(s.rules),
             json.dumps(s.route_to), s.how, s.state in ("live", "undeclared", "unreferenced"),
             o.created if o else None, o.last_used if o else None, s.unused_days,
             s.key_age_days, o.source if o else None, o.exported if o else None,
             o.creator if o else None, o.owner if o else None, run)
            for s in observation.seen
            for o in (s.observed,)
        ),
    )  # fmt: skip
