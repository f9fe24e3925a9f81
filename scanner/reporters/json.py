"""The JSON report, format version 1: the contract the aggregator and other tools read.

`scanner/schemas/report.schema.json` describes it and the tests validate against it. Changes
within version 1 are additive only. Output is deterministic: the pipeline sorts, keys keep
a fixed order, and there are no timestamps.
"""

from __future__ import annotations

import json

from scanner.model import (
    JSON,
    Attributed,
    Finding,
    ModuleCall,
    Person,
    Provisioner,
    Report,
    ScanError,
    Waiver,
)


def render(report: Report) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


def to_json(report: Report) -> dict[str, JSON]:
    return {
        "schema_version": report.schema_version,
        "tool": {"name": "nhi-scanner", "version": report.tool_version},
        "repository": {
            "name": report.repository.name,
            "commit": report.repository.commit,
            "shallow": report.repository.shallow,
        },
        "identities": [_subject(s) for s in report.subjects],
        "modules": [_module(m) for m in report.modules],
        "findings": [_finding(f) for f in report.findings],
        "errors": [_error(e) for e in report.errors],
        "waivers": [
            {**_waiver(s.waiver), "status": s.status, "detail": s.detail} for s in report.waivers
        ],
    }


def _subject(subject: Attributed) -> dict[str, JSON]:
    identity, attribution = subject.identity, subject.attribution
    return {
        "id": identity.id,
        "scanner": identity.scanner,
        "kind": identity.kind,
        "category": identity.category.value,
        "name": identity.name,
        "path": identity.path,
        "line": identity.line,
        "end_line": identity.end_line,
        "attributes": dict(identity.attributes),
        "provisioner": _provisioner(attribution.provisioner),
        "owners": list(attribution.owners),
        "owners_source": attribution.owners_source,
        "last_modified_by": _person(attribution.last_modified_by),
        "contributors": [_person(p) for p in attribution.contributors],
        "declared_owners": list(identity.declared_owners),
        "consumers": [{"kind": c.kind, "ref": c.ref} for c in identity.consumers],
    }


def _provisioner(provisioner: Provisioner | None) -> JSON:
    if provisioner is None:
        return None
    return {
        "name": provisioner.name,
        "email": provisioner.email,
        "commit": provisioner.commit,
        "date": provisioner.date,
        "uncommitted": provisioner.uncommitted,
        "confidence": provisioner.confidence,
        "evidence": list(provisioner.evidence),
        "co_authors": list(provisioner.co_authors),
    }


def _person(person: Person | None) -> JSON:
    if person is None:
        return None
    return {
        "name": person.name,
        "email": person.email,
        "commit": person.commit,
        "date": person.date,
        "lines": person.lines,
    }


def _module(module: ModuleCall) -> dict[str, JSON]:
    return {
        "path": module.path,
        "line": module.line,
        "name": module.name,
        "source": module.source,
        "version": module.version,
    }


def _finding(finding: Finding) -> dict[str, JSON]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.label,
        "identity": finding.identity,
        "path": finding.path,
        "line": finding.line,
        "message": finding.message,
        "status": finding.status,
        "waiver": None if finding.waiver is None else _waiver(finding.waiver),
    }


def _waiver(waiver: Waiver) -> dict[str, JSON]:
    return {
        "rules": list(waiver.rules),
        "owner": waiver.owner,
        "expires": waiver.expires,
        "reason": waiver.reason,
        "source": waiver.source,
        "identity": waiver.identity,
        "paths": list(waiver.paths),
    }


def _error(error: ScanError) -> dict[str, JSON]:
    return {"path": error.path, "line": error.line, "message": error.message}
