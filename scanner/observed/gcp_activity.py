"""GCP's Policy Analyzer authentication activity, as `gcloud policy-intelligence query-activity
--activity-type=serviceAccountKeyLastAuthentication --project=P --format=json` (or
`serviceAccountLastAuthentication`) prints it: per key or account, `activity.
lastAuthenticatedTime` and its `fullResourceName`, within an `observationPeriod`
(https://cloud.google.com/policy-intelligence/docs/activity-analyzer-service-account-authentication).

Each entry is a `gcp_activity` value that the stage folds into the key or account it names
(`activity.fold`): the key's last use, and that the export tracks use at all.
"""

from __future__ import annotations

from scanner.errors import ObservedError
from scanner.observed.model import Observed, day, load_json, records, text

KIND = "gcp_activity"
TYPES = ("serviceAccountKeyLastAuthentication", "serviceAccountLastAuthentication")


def detect(content: str) -> bool:
    head = content.lstrip()[:4096]
    return head.startswith("[") and any(f'"{kind}"' in head for kind in TYPES)


def parse(path: str, content: str) -> tuple[Observed, ...]:
    found = []
    for number, entry in enumerate(records(load_json(content, path), path, "activities"), 1):
        where = f"{path}: activity {number}"
        kind = text(entry, "activityType", where)
        if kind not in TYPES:
            raise ObservedError(f"{where}: activityType is not one of {', '.join(TYPES)}")
        resource = text(entry, "fullResourceName", where)
        activity = entry.get("activity")
        if not isinstance(activity, dict):
            raise ObservedError(f"{where}: 'activity' is missing")
        period = entry.get("observationPeriod")
        end = period.get("endTime") if isinstance(period, dict) else None
        found.append(Observed(
            provider="gcp", kind=KIND, scope=resource.split("/")[4] if resource.count("/") > 4
            else "", name=resource.rsplit("/", 1)[-1].split("@", 1)[0], key=resource,
            last_used=day(activity.get("lastAuthenticatedTime"), f"{where}: lastAuthenticatedTime"),
            tracks_use=True, source=path, exported=day(end, f"{where}: observationPeriod"),
        ))  # fmt: skip
    return tuple(found)
