"""A local composite action (`action.yml`) read as a workflow: its `runs.steps` become one job
named `runs` (issue 19). An identity it only forwards from its caller
(`role-to-assume: ${{ inputs.role }}`) is the caller's, found at the caller's `uses:` step,
so it is not reported twice; the caller's `id-token` permission is unknown here."""

from __future__ import annotations

import re

from scanner.model import JSON, Identity
from scanner.scanners._json import JSONPath, Span, Spans

_FORWARDED = re.compile(r"\s*\$\{\{\s*inputs\.[\w-]+\s*\}\}\s*")


def as_workflow(document: dict[str, JSON], spans: Spans) -> tuple[dict[str, JSON], Spans] | None:
    """The action as a workflow document with its spans, or None when it runs no steps."""
    runs = document.get("runs")
    if not isinstance(runs, dict) or not isinstance(runs.get("steps"), list):
        return None
    return {"jobs": {"runs": {"steps": runs["steps"]}}}, _RunsAsJob(spans)


def forwarded(identity: Identity) -> bool:
    """A federation or app token named by one of the action's inputs: the caller's."""
    return identity.kind in ("workflow_oidc", "workflow_app_token") and bool(
        _FORWARDED.fullmatch(identity.name)
    )


class _RunsAsJob(Spans):
    """A composite action's spans as if `runs` were the workflow job `jobs/runs`."""

    def __init__(self, spans: Spans) -> None:
        self._inner = spans

    def __getitem__(self, path: JSONPath) -> Span:
        return self._inner[path[1:] if path[:2] == ("jobs", "runs") else path]

    def line(self, path: JSONPath) -> int:
        return self[path].line
