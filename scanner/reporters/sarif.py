"""SARIF 2.1.0 for GitHub code scanning (shared/reference/conventions.md, sections 3.3 and 5).

Rules come from the policies that fired; levels and `security-severity` (a string) from their
severity. Each result carries our identity id in `partialFingerprints` under a key of our own
(GitHub itself reads only `primaryLocationLineHash`, which upload-sarif computes), the people
and consumers in `properties`, and a SARIF suppression when a waiver or the baseline covers it.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from scanner.model import JSON, Attributed, Finding, Policy, Report, Severity

FINGERPRINT = "nhiIdentity/v1"
INFORMATION_URI = "https://github.com/nhi-scanner/nhi-scanner"
# One page per policy set, generated from policies/ (scanner.policy.docs; a test keeps it true).
RULES_PAGE = f"{INFORMATION_URI}/blob/main/docs/policies.md"
# GitHub code scanning accepts at most 25,000 results per run (and shows the top 5,000).
MAX_RESULTS = 25_000
AUTOMATION_ID = "nhi-scanner/"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub buckets: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"


def to_sarif(report: Report) -> dict[str, JSON]:
    notices = {p.id for p in report.policies if p.notice}
    rules = sorted((p for p in report.policies if not p.notice), key=lambda policy: policy.id)
    index = {policy.id: position for position, policy in enumerate(rules)}
    subjects = {subject.identity.id: subject for subject in report.subjects}
    alerts = [f for f in report.findings if f.rule not in notices]
    # Over GitHub's limit, the most severe are kept, in the report's order.
    kept = sorted(sorted(range(len(alerts)), key=lambda i: -alerts[i].severity)[:MAX_RESULTS])
    results: list[JSON] = [
        _result(alerts[i], index.get(alerts[i].rule), subjects.get(alerts[i].identity))
        for i in kept
    ]
    notifications: list[JSON] = [
        _notification(f.rule, "note", f.message, f.path, f.line)
        for f in report.findings
        if f.rule in notices
    ]
    notifications += [
        _notification("nhi/file-not-scanned", "warning", e.message, e.path, e.line)
        for e in report.errors
    ]
    if len(alerts) > MAX_RESULTS:
        left = len(alerts) - MAX_RESULTS
        notifications.append(_notification(
            "nhi/results-capped", "warning",
            f"{left} more results were left out: GitHub code scanning accepts at most "
            f"{MAX_RESULTS:,} per run (the most severe are kept; the JSON report has them all)",
        ))  # fmt: skip
    run: dict[str, JSON] = {
        "tool": {
            "driver": {
                "name": "nhi-scanner",
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(policy) for policy in rules],
            }
        },
        "automationDetails": {"id": AUTOMATION_ID},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "results": results,
    }
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    }


def _notification(
    rule: str, level: str, text: str, path: str | None = None, line: int | None = None
) -> JSON:
    """A tool execution notification: about how the scan ran, not an alert on the code."""
    notification: dict[str, JSON] = {
        "descriptor": {"id": rule},
        "level": level,
        "message": {"text": text},
    }
    if path is not None:
        physical: dict[str, JSON] = {"artifactLocation": {"uri": quote(path, safe="/")}}
        if line:
            physical["region"] = {"startLine": line}
        notification["locations"] = [{"physicalLocation": physical}]
    return notification


def _rule(policy: Policy) -> JSON:
    summary = " ".join(policy.description.split("\n\n")[0].replace("**What.**", "").split())
    tags: list[JSON] = ["security", "non-human-identity"]
    if policy.owasp:
        tags.append(f"OWASP-{policy.owasp}")
    return {
        "id": policy.id,
        "name": "".join(word.capitalize() for word in re.findall(r"[A-Za-z0-9]+", policy.title)),
        "shortDescription": {"text": policy.title},
        "fullDescription": {"text": summary[:1024]},
        "help": {
            "text": _plain(policy.description),
            "markdown": f"{policy.description}\n\n[{policy.id} in the nhi-scanner docs]"
            f"({help_uri(policy)})",
        },
        "helpUri": help_uri(policy),
        "defaultConfiguration": {"level": _LEVEL[policy.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY[policy.severity],
        },
    }


def help_uri(policy: Policy) -> str:
    """The policy's section of the generated rules page (its anchor is the lower-cased id)."""
    return f"{RULES_PAGE}#{policy.id.lower()}"


def _result(finding: Finding, rule_index: int | None, subject: Attributed | None) -> JSON:
    region: dict[str, JSON] = {"startLine": finding.line}
    if subject is not None:
        region["endLine"] = max(subject.identity.end_line, finding.line)
    result: dict[str, JSON] = {
        "ruleId": finding.rule,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(finding.path, safe="/")},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT: finding.identity},
        "properties": _people(finding, subject),
    }
    if rule_index is not None:
        result["ruleIndex"] = rule_index
    suppression = _suppression(finding)
    if suppression is not None:
        result["suppressions"] = [suppression]
    if finding.status in ("baselined", "pre-existing"):
        result["baselineState"] = "unchanged"
    return result


def _people(finding: Finding, subject: Attributed | None) -> dict[str, JSON]:
    properties: dict[str, JSON] = {"identity": finding.identity, "status": finding.status}
    if subject is None:
        return properties
    provisioner = subject.attribution.provisioner
    properties |= {
        "kind": subject.identity.kind,
        "provisioner": None if provisioner is None else provisioner.email,
        "owners": list(subject.attribution.owners),
        "declaredOwners": list(subject.identity.declared_owners),
        "consumers": [consumer.ref for consumer in subject.identity.consumers],
    }
    return properties


def _suppression(finding: Finding) -> JSON:
    if finding.status == "baselined":
        return {"kind": "external", "status": "accepted", "justification": "in the baseline"}
    if finding.status != "suppressed" or finding.waiver is None:
        return None
    waiver = finding.waiver
    return {
        "kind": "external" if waiver.identity is None else "inSource",
        "status": "accepted",
        "justification": f"waived by {waiver.owner} until {waiver.expires}"
        + (f": {waiver.reason}" if waiver.reason else ""),
        "location": {
            "physicalLocation": {
                "artifactLocation": {"uri": quote(waiver.source.rpartition(":")[0], safe="/")}
            }
        },
    }


def _plain(markdown: str) -> str:
    return re.sub(r"\*\*([^*]+)\*\*", r"\1", markdown).replace("`", "")
