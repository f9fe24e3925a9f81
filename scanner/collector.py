"""Python's cycle collector, paused where nhi builds many long-lived objects and no cycles.

The collector walks every live container each time enough new ones pile up, so a stage that
builds hundreds of thousands of objects kept to the end (an organisation's reports, resolved
identities, inventory answers) pays for walking them again and again: a sixth of an
organisation run and half of reading its reports (bench/org.py, 500,000 identities), for no
memory back (the peak is the same with it paused). A scan is paused too, but python-hcl2's
rule trees are cycles (287,000 objects of garbage on cloud-foundation-fabric): each file's are
freed when it is done (`young`), which walks only what that file made. Cold scans 14-23%
faster, warm ones 23-35% (terraform-aws-iam, hashicorp/terraform, cloud-foundation-fabric).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside; the caller's setting restored after (nested: unchanged).
    What was made inside is frozen first (left to reference counting alone): turning the
    collector back on would otherwise walk all of it at once (1.8 s after an organisation run)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.enable()


def young() -> None:
    """While paused: collect only what was made since the last collection (a parse tree's own
    cycles), never walking the older objects again. Free when nothing was made."""
    if not gc.isenabled():
        gc.collect(0)
