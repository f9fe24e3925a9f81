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
    rules = sorted(report.policies, key=lambda policy: policy.id)
    index = {policy.id: position for position, policy in enumerate(rules)}
    subjects = {subject.identity.id: subject for subject in report.subjects}
    results: list[JSON] = [
        _result(finding, index.get(finding.rule), subjects.get(finding.identity))
        for finding in report.findings
    ]
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "nhi-scanner",
                        "semanticVersion": report.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule(policy) for policy in rules],
                    }
                },
                "results": results,
            }
        ],
    }


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
            f"({INFORMATION_URI}#{policy.id.lower()})",
        },
        "defaultConfiguration": {"level": _LEVEL[policy.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY[policy.severity],
        },
    }


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
