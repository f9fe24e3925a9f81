"""The JSON report, format version 1: the contract the aggregator and other tools read.

`scanner/schemas/report.schema.json` describes it and the tests validate against it. Changes
within version 1 are additive only. Output is deterministic: the pipeline sorts, keys keep
a fixed order, and there are no timestamps.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema
    import jsonschema_rs

from scanner.errors import ReportError
from scanner.model import (
    JSON,
    SCHEMA_VERSION,
    Attributed,
    Attribution,
    Author,
    Category,
    Confidence,
    Consumer,
    Finding,
    FindingStatus,
    Identity,
    Link,
    ModuleCall,
    Provisioner,
    Reach,
    Report,
    Repository,
    ScanError,
    Severity,
    Waiver,
    WaiverState,
    WaiverStatus,
)


def render(report: Report) -> str:
    """One key a line and one list item a line: readable and diffable, and written by json's C
    encoder (an indented dump goes through the pure-Python one, 0.5 s on a 5 MB report)."""
    parts = []
    for index, (key, value) in enumerate(to_json(report).items()):
        lead = "{\n  " if index == 0 else ",\n  "
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            parts.append(f"{lead}{json.dumps(key)}: [\n    {items}\n  ]")
        else:
            parts.append(f"{lead}{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "".join(parts) + "\n}\n"


def encoder(item_separator: str = ", ", key_separator: str = ": ") -> Callable[[Any], str]:
    """One JSON encoder (ensure_ascii off, no indent) for many small values. `json.dumps` with
    an option builds a new encoder per call, and even a kept `JSONEncoder.encode` builds its
    C encoder per call: the aggregate encodes 500,000 identities and 500,000 cards, where that
    was a third of each small value's cost. The C encoder is made once (without the check for
    cycles: these values are trees nhi built), or the documented one when json has no C part."""
    made = getattr(json.encoder, "c_make_encoder", None)  # not in typeshed: CPython's C part
    if made is None:  # pragma: no cover - CPython always has it
        return json.JSONEncoder(ensure_ascii=False, separators=(item_separator, key_separator),
                                check_circular=False).encode  # fmt: skip
    chunks = made(None, None, json.encoder.encode_basestring, None, key_separator,
                  item_separator, False, False, True)  # fmt: skip
    return lambda value: "".join(chunks(value, 0))


_ENCODE = encoder()


def array(items: Iterable[JSON], indent: str = "") -> Iterator[str]:
    """A JSON array written piece by piece, one item a line (`indent` and two spaces in), by
    json's C encoder: the aggregate and the inventory write 500,000 items this way."""
    return lines(map(_ENCODE, items), indent)


def lines(texts: Iterable[str], indent: str = "") -> Iterator[str]:
    """`array` of items already encoded, yielded `_LINES` items a piece (a piece an item was
    0.1 s of writing 100,000 inventory answers, #25)."""
    separator = ",\n" + indent + "  "
    lead = "[\n" + indent + "  "
    iterator = iter(texts)
    while chunk := list(itertools.islice(iterator, _LINES)):
        yield lead + separator.join(chunk)
        lead = separator
    yield "[]" if lead.startswith("[") else "\n" + indent + "]"


_LINES = 256


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
        "links": [link_json(item) for item in report.links],
        "reach": [reach_json(item) for item in report.reach],
    }


def link_json(link: Link) -> dict[str, JSON]:
    return {
        "from": link.source,
        "to": link.to,
        "relation": link.relation,
        "evidence": link.evidence,
        "attributes": dict(link.attributes),
    }


def reach_json(reach: Reach) -> dict[str, JSON]:
    return {
        "identity": reach.identity,
        "admin": reach.admin,
        "services": list(reach.services),
        "actions": list(reach.actions),
        "resources": list(reach.resources),
        "managed": list(reach.managed),
        "unknown": list(reach.unknown),
    }


def _subject(subject: Attributed) -> dict[str, JSON]:
    identity, attribution = subject.identity, subject.attribution
    installer: dict[str, JSON] = {}
    if identity.kind == "mcp_credential":  # who added the server entry it is handed to (#18)
        installer["installed_by"] = _provisioner(attribution.installed_by)
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
        **installer,
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


def _person(person: Author | None) -> JSON:
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


def from_json(text: str, source: str = "report") -> Report:
    """A report written by `render`, validated against the schema. Raises ReportError."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReportError(f"{source}: not valid JSON (line {error.lineno})") from None
    except RecursionError:  # json.loads recurses once per level of nesting (#12)
        raise ReportError(f"{source}: not valid JSON (nested too deeply)") from None
    version = document.get("schema_version") if isinstance(document, dict) else None
    if isinstance(document, dict) and version != SCHEMA_VERSION:
        shown = repr(version) if type(version) is int else f"of type {type(version).__name__}"
        raise ReportError(f"{source}: report format version {shown} is not supported; "
                          f"this nhi reads version {SCHEMA_VERSION}")  # fmt: skip
    try:
        valid = bool(_fast_validator().is_valid(document))
    except (ValueError, TypeError, OverflowError):  # e.g. an integer past 64 bits
        valid = False
    if not valid:
        _explain_invalid(document, source)
    repository = document["repository"]
    return Report(
        tool_version=document["tool"]["version"],
        repository=Repository(
            name=repository["name"], commit=repository["commit"], shallow=repository["shallow"]
        ),
        subjects=tuple(_read_subject(item) for item in document["identities"]),
        modules=tuple(
            ModuleCall(**_known(ModuleCall, item)) for item in document.get("modules", [])
        ),
        findings=tuple(_read_finding(item) for item in document["findings"]),
        errors=tuple(ScanError(**_known(ScanError, item)) for item in document["errors"]),
        waivers=tuple(
            WaiverStatus(
                waiver=_read_waiver(item), status=WaiverState(item["status"]), detail=item["detail"]
            )
            for item in document.get("waivers", [])
        ),
        links=tuple(_read_link(item) for item in document.get("links", [])),
        reach=tuple(_read_reach(item) for item in document.get("reach", [])),
    )


def _read_link(item: dict[str, Any]) -> Link:
    return Link(source=item["from"], to=item["to"], relation=item["relation"],
                evidence=item["evidence"], attributes=item.get("attributes", {}))  # fmt: skip


def _read_reach(item: dict[str, Any]) -> Reach:
    return Reach(identity=item["identity"], admin=item["admin"],
                 **{key: tuple(item[key]) for key in REACH_LISTS})  # fmt: skip


REACH_LISTS = ("services", "actions", "resources", "managed", "unknown")


def _reason(problem: jsonschema.ValidationError) -> str:
    """What the schema wants, never the value found: a hand-edited report may hold a secret."""
    if problem.validator == "type":
        return f"expected {problem.validator_value}"
    if problem.validator == "required":
        return problem.message  # names the missing key, from the schema
    if problem.validator in ("enum", "const"):
        return "not one of the allowed values"
    return f"fails the schema's {problem.validator!r} rule"


@functools.cache
def _schema() -> dict[str, Any]:
    text = (Path(__file__).parents[1] / "schemas/report.schema.json").read_text("utf-8")
    return dict(json.loads(text))


@functools.cache
def _fast_validator() -> jsonschema_rs.Draft202012Validator:
    """jsonschema-rs answers 'valid?' about 200 times faster than jsonschema: it is what lets
    the aggregator read thousands of reports (bench/org.py)."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(_schema())


def _explain_invalid(document: object, source: str) -> None:
    """The most relevant problem of an invalid report, as jsonschema words it."""
    import jsonschema
    from jsonschema.exceptions import best_match

    problem = best_match(jsonschema.Draft202012Validator(_schema()).iter_errors(document))
    if problem is not None:
        path = "/" + "/".join(str(part) for part in problem.absolute_path)
        raise ReportError(f"{source}: {path}: {_reason(problem)}")


def _read_subject(item: dict[str, Any]) -> Attributed:
    return Attributed(
        identity=Identity(
            scanner=item["scanner"], kind=item["kind"], category=Category(item["category"]),
            name=item["name"], path=item["path"], line=item["line"], end_line=item["end_line"],
            pointer=item["id"].partition("#")[2], anchor_line=item["line"],
            attributes=item["attributes"], declared_owners=tuple(item["declared_owners"]),
            consumers=tuple(Consumer(kind=c["kind"], ref=c["ref"]) for c in item["consumers"]),
        ),
        attribution=Attribution(
            provisioner=_read_provisioner(item["provisioner"]),
            installed_by=_read_provisioner(item.get("installed_by")),
            owners=tuple(item["owners"]), owners_source=item["owners_source"],
            last_modified_by=_read_person(item.get("last_modified_by")),
            contributors=tuple(p for p in map(_read_person, item.get("contributors", [])) if p),
        ),
    )  # fmt: skip


def _read_provisioner(item: dict[str, Any] | None) -> Provisioner | None:
    if item is None:
        return None
    return Provisioner(
        name=item["name"], email=item["email"], commit=item["commit"], date=item["date"],
        uncommitted=item["uncommitted"], confidence=Confidence(item["confidence"]),
        evidence=tuple(item["evidence"]), co_authors=tuple(item.get("co_authors", ())),
    )  # fmt: skip


def _read_person(item: dict[str, Any] | None) -> Author | None:
    return None if item is None else Author(**_known(Author, item))


def _known(cls: type, item: dict[str, Any]) -> dict[str, Any]:
    """The fields `cls` has: version 1 only adds fields, and readers must ignore the rest (#12)."""
    names = _field_names(cls)
    return {key: value for key, value in item.items() if key in names}


@functools.cache  # asked for every person of every identity: 3 million times in an org run
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(field.name for field in dataclasses.fields(cls))


def _read_finding(item: dict[str, Any]) -> Finding:
    waiver = item.get("waiver")
    return Finding(rule=item["rule"], severity=Severity[item["severity"].upper()],
                   identity=item["identity"], path=item["path"], line=item["line"],
                   message=item["message"],
                   status=FindingStatus(item.get("status", "open")),
                   waiver=None if waiver is None else _read_waiver(waiver))  # fmt: skip


def _read_waiver(item: dict[str, Any]) -> Waiver:
    return Waiver(rules=tuple(item["rules"]), owner=item["owner"], expires=item["expires"],
                  reason=item["reason"], source=item["source"], identity=item["identity"],
                  paths=tuple(item["paths"]))  # fmt: skip
