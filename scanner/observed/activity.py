"""Usage exports that describe other exports' items (GCP Policy Analyzer, Entra credential
sign-ins): their `*_activity` values are folded into the key, account or credential they name,
by provider, scope and name, before the join."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from scanner.observed.model import Observed


def fold(observed: Iterable[Observed]) -> list[Observed]:
    """Items with the last use an activity export gives them; activity values dropped."""
    listed = list(observed)
    used = {(o.provider, o.scope, o.name): o for o in listed if o.kind.endswith("_activity")}
    merged = []
    for o in listed:
        if o.kind.endswith("_activity"):
            continue
        hit = used.get((o.provider, o.scope, o.name))
        if hit is not None:
            o = dataclasses.replace(o, last_used=hit.last_used, tracks_use=True,
                                    exported=o.exported or hit.exported)  # fmt: skip
        merged.append(o)
    return merged


def expire(observed: Iterable[Observed], as_of: datetime.date) -> list[Observed]:
    """A credential past its end date is not live, whatever else the export says."""
    return [dataclasses.replace(o, live=False)
            if o.live and o.expires and o.expires < (o.exported or as_of.isoformat()) else o
            for o in observed]  # fmt: skip
