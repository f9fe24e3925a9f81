"""Terraform scanner: one identity per `resource` block whose type is in the detection catalog.

Reads `.tf` (HCL, through `_hcl`) and `.tf.json` (Terraform's JSON syntax, through `_json`),
and OpenTofu's `.tofu` and `.tofu.json` alike (opentofu.org, "Files and Directories").
A cheap regex decides first whether a file can hold a catalog resource or a module call at
all, because parsing HCL is slow (thousands of lines per second) and most files hold neither.
Data sources are never identities; `module` blocks are recorded as `ModuleCall`s, their
`source` without a URL's userinfo, and a credential in that userinfo is a
`module_source_credential` (pointer `module.<name>/source`). For lineage,
each catalog resource, module call and `aws_iam_policy_document` data source also gives a
`TerraformBlock` (`blocks`): what it references, names and allows. An azurerm resource
with a system-assigned managed identity is an identity too (`managed`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

from scanner import secrets
from scanner.errors import ParseError
from scanner.model import JSON, Category, Fact, Identity, ModuleCall
from scanner.scanners import _json
from scanner.scanners.terraform import blocks, content, federation, managed, people
from scanner.scanners.terraform.catalog import (
    LINEAGE_ONLY,
    POLICY_DOCUMENT,
    STATIC,
    Entry,
    classify,
    read,
    worth_parsing,
)
from scanner.scanners.terraform.expressions import SECRET_VALUE_KEYS

if TYPE_CHECKING:
    from scanner.scanners._hcl import Block

PATTERNS = ("*.tf", "*.tf.json", "*.tofu", "*.tofu.json")

_HEX_RUN = re.compile(r"[0-9a-f]{16,}")
_JSON_BLOCK = re.compile(r'"(resource|module|data)"\s*:')
_EXPIRY_KEYS = (
    "end_date", "end_date_relative", "expiration_date", "expiration", "expires_at",
    "expire_time", "expiry_date", "expiry", "expires_in",
)  # fmt: skip


def scan(path: str, text: str) -> Iterator[Fact]:
    """Yield the catalog resources and module calls declared in one Terraform file."""
    if path.endswith(".json"):
        yield from _scan_json(path, text)
    elif worth_parsing(text) or managed.worth_reading(text):
        yield from _scan_hcl(path, text)


def prepare() -> None:
    """What scanning needs built before any file is timed (see `scanners.prepare`)."""
    from scanner.scanners import _hcl  # python-hcl2 and lark: only when a file needs them

    _hcl.warm()


class _Resource(NamedTuple):
    """A catalog resource read from a file, decided once the whole file is read."""

    kind: str
    name: str
    entry: Entry
    body: Mapping[str, JSON]
    line: int
    end: int


# A file's other blocks, `(address, body)`, read only when a random_password may flow into them.
_Others = Callable[[], Iterable[tuple[str, Mapping[str, JSON]]]]


def _scan_hcl(path: str, text: str) -> Iterator[Fact]:
    from scanner.scanners import _hcl  # python-hcl2 and lark: imported when a file needs them

    found: list[_Resource | Fact] = []
    others: list[Block] = []
    modules: list[tuple[str, Mapping[str, JSON]]] = []
    assigned = managed.worth_reading(text)
    try:
        for block in _hcl.selected_blocks(text, read):  # the others parsed when asked for
            if block.type == "resource" and len(block.labels) == 2:
                kind, name = block.labels[0], _label(block.labels[1], block.line)
                entry = classify(kind)
                if entry is not None:
                    found.append(_Resource(kind, name, entry, block.body(), block.line,
                                           block.end_line))  # fmt: skip
                elif kind in LINEAGE_ONLY:
                    found.append(blocks.block(path, f"{kind}.{name}", kind, block.body(),
                                              block.line, block.end_line))  # fmt: skip
                else:
                    others.append(block)
                    if assigned and managed.candidate(kind):
                        with contextlib.suppress(ParseError):  # not a catalog block: no error
                            found.extend(_managed(path, text, kind, name, block.body(),
                                                  block.line, block.end_line))  # fmt: skip
            elif block.type == "module" and len(block.labels) == 1:
                body, name = block.body(), _label(block.labels[0], block.line)
                modules.append((f"module.{name}", body))
                found.extend(_module(path, name, body, block.line, block.end_line))
                found.append(blocks.block(path, f"module.{name}", "module", body,
                                          block.line, block.end_line))  # fmt: skip
            elif block.type == "data" and block.labels[:1] == (POLICY_DOCUMENT,):
                address = f"data.{POLICY_DOCUMENT}.{_label(block.labels[-1], block.line)}"
                found.append(blocks.block(path, address, POLICY_DOCUMENT, block.body(),
                                          block.line, block.end_line))  # fmt: skip
    except ParseError:  # what was read before the error is still reported
        yield from _decided(path, found, lambda: [*modules, *_bodies(others)])
        raise
    yield from _decided(path, found, lambda: [*modules, *_bodies(others)])


def _bodies(others: list[Block]) -> Iterator[tuple[str, Mapping[str, JSON]]]:
    """The bodies of the non-catalog resources of an HCL file, for random_password flows."""
    for block in others:
        with contextlib.suppress(ParseError):  # a block we do not report is never an error
            yield ".".join(block.labels[:2]), block.body()


def _decided(path: str, found: list[_Resource | Fact], others: _Others) -> Iterator[Fact]:
    """The file's facts in order, each resource decided with what the whole file says: where a
    random_password flows, which IAM users are people (#19)."""
    resources = [item for item in found if isinstance(item, _Resource)]
    flows: dict[str, list[JSON]] = {}
    if any(r.kind in content.RANDOM for r in resources):
        flows = content.flows([*((f"{r.kind}.{r.name}", r.body) for r in resources), *others()])
    humans = people.humans((r.kind, f"{r.kind}.{r.name}", r.body) for r in resources)
    for item in found:
        if not isinstance(item, _Resource):
            yield item
            continue
        address = f"{item.kind}.{item.name}"
        verdict = content.decide(item.kind, item.name, item.body, address in flows)
        if verdict.category is None:
            continue
        extra: dict[str, JSON] = {}
        if verdict.reason is not None:
            extra["classified_by"] = verdict.reason
        if address in flows:
            extra["flows_into"] = flows[address]
        if address in humans:
            extra.update({"human": True, "human_reason": humans[address]})
        entry = item.entry._replace(category=verdict.category)
        yield _identity(path, item.kind, item.name, entry, item.body, item.line, item.end, extra)
        yield blocks.block(path, address, item.kind, item.body, item.line, item.end)


def _managed(
    path: str, text: str, kind: str, name: str, body: Mapping[str, JSON], line: int, end: int
) -> Iterator[Fact]:
    """The system-assigned managed identity a resource creates for itself (`managed`): blamed
    at its `identity` block, linked by the resource's address (`...identity[0].principal_id`)."""
    written = managed.system_assigned(body)
    if written is None:
        return
    address, entry = f"{kind}.{name}", Entry(Category.IDENTITY, kind.partition("_")[0])
    found = _identity(path, kind, name, entry, body, line, end, {"managed_identity": written})
    at = managed.line(text.splitlines(), line, end) if not path.endswith(".json") else line
    yield dataclasses.replace(found, pointer=f"{address}/identity", anchor_line=at)
    yield blocks.block(path, address, kind, body, line, end)


def _label(name: str, line: int) -> str:
    """A block's name label, or `line-<n>` when the label is a token (#16): never an identity's
    name, pointer or a lineage address. (Expressions naming it are left out by lineage.) A
    lower-case hex run is a fingerprint or a hash there (kops names each key pair after its
    key's MD5), not a token: only a known shape or another random run hides the label."""
    found = secrets.secret_in(name)
    if found is not None and found.detector == "high_entropy":
        found = secrets.secret_in(_HEX_RUN.sub("-", name))
    return f"line-{line}" if found else name


def _scan_json(path: str, text: str) -> Iterator[Fact]:
    if not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")) and text.strip():
        # Terraform reads `*.tf.json` as JSON only: HCL written there is refused, not skipped.
        raise ParseError("not JSON: Terraform reads a .tf.json file as JSON", 1)
    if not _JSON_BLOCK.search(text):
        return
    document, spans = _json.parse(text)
    if not isinstance(document, dict):
        raise ParseError("Terraform JSON must be an object at the top level", 1)
    found: list[_Resource | Fact] = []
    others: list[tuple[str, Mapping[str, JSON]]] = []
    for route, kind, by_name in _json_blocks(document, "resource"):
        entry = classify(kind)
        if not isinstance(by_name, dict):
            continue
        for name, body in by_name.items():
            span = spans[(*route, kind, name)]
            for item in body if isinstance(body, list) else [body]:
                if isinstance(item, dict) and entry is not None:
                    found.append(_Resource(kind, _label(name, span.line), entry, item,
                                           span.line, span.end_line))  # fmt: skip
                elif isinstance(item, dict):
                    others.append((f"{kind}.{name}", item))
                    if managed.candidate(kind):
                        found.extend(_managed(path, text, kind, _label(name, span.line), item,
                                              span.line, span.end_line))  # fmt: skip
    for route, name, body in _json_blocks(document, "module"):
        if isinstance(body, dict):
            span = spans[(*route, name)]
            name = _label(name, span.line)
            others.append((f"module.{name}", body))
            found.extend(_module(path, name, body, span.line, span.end_line))
            found.append(blocks.block(path, f"module.{name}", "module", body, span.line,
                                      span.end_line))  # fmt: skip
    for route, kind, by_name in _json_blocks(document, "data"):
        if kind != POLICY_DOCUMENT or not isinstance(by_name, dict):
            continue
        for name, body in by_name.items():
            span = spans[(*route, kind, name)]
            if isinstance(body, dict):
                address = f"data.{kind}.{_label(name, span.line)}"
                found.append(blocks.block(path, address, kind, body, span.line,
                                          span.end_line))  # fmt: skip
    yield from _decided(path, found, lambda: others)


def _json_blocks(
    document: dict[str, JSON], keyword: str
) -> Iterator[tuple[tuple[str | int, ...], str, JSON]]:
    """`(route, label, value)` under a top-level keyword, which may be an object or a list."""
    section = document.get(keyword)
    parts = enumerate(section) if isinstance(section, list) else [(None, section)]
    for index, part in parts:
        if isinstance(part, dict):
            route = (keyword,) if index is None else (keyword, index)
            for label, value in part.items():
                yield route, label, value


def _identity(
    path: str,
    kind: str,
    name: str,
    entry: Entry,
    body: Mapping[str, JSON],
    line: int,
    end: int,
    extra: Mapping[str, JSON],
) -> Identity:
    address = f"{kind}.{name}"
    return Identity(
        scanner="terraform",
        kind=kind,
        category=entry.category,
        name=name,
        path=path,
        line=line,
        end_line=end,
        pointer=address,
        anchor_line=line,
        attributes=_attributes(address, kind, entry, body) | dict(extra) | sample(path),
        declared_owners=people.declared_owners(body),
    )


# Folders of test fixtures, examples and docs: what is declared there is never deployed as is
# (a module repository's test/fixtures tripled its identities), so it does not block (#19).
SAMPLE_DIRS = frozenset({"test", "tests", "testdata", "test-fixtures", "fixtures", "fixture",
                         "examples", "example", "samples", "sample", "docs", "doc"})  # fmt: skip


def sample(path: str) -> dict[str, JSON]:
    """`{"sample": "true"}` for a declaration under a test, example or docs folder, else {}."""
    folders = path.split("/")[:-1]
    return {"sample": "true"} if SAMPLE_DIRS.intersection(folders) else {}


def _attributes(address: str, kind: str, entry: Entry, body: Mapping[str, JSON]) -> dict[str, JSON]:
    attributes: dict[str, JSON] = {"address": address, "provider": entry.provider}
    for meta in ("count", "for_each"):
        if meta in body:
            attributes[meta] = _expression(body[meta])
            attributes["multiplicity"] = "unknown"
    count = body.get("count")
    if isinstance(count, int) or (isinstance(count, str) and count.isascii() and count.isdigit()):
        attributes["multiplicity"] = int(count)
    if "provider" in body:
        attributes["provider_config"] = _expression(body["provider"])
    if kind in STATIC:
        attributes["long_lived"] = True
    for key in _EXPIRY_KEYS:
        if key in body:
            attributes["expiry"] = _expression(body[key])
            break
    attributes.update(_literal_secret(body))
    attributes.update(_environment_tag(body))
    if kind.startswith("github_") and kind.endswith("_secret"):  # where lineage looks for it
        attributes.update({key: body[key] for key in ("secret_name", "repository")
                           if people.literal(body.get(key))})  # fmt: skip
    attributes.update(_provider_names(kind, body))
    attributes.update(federation.facts(kind, body))
    return attributes


def _environment_tag(body: Mapping[str, JSON]) -> dict[str, JSON]:
    """`{"environment": "prod"}` from an `env`/`environment`/`stage` tag or label (#25)."""
    for field in ("tags", "labels"):
        mapping = body.get(field)
        for key, value in mapping.items() if isinstance(mapping, dict) else ():
            if key.lower() in ("env", "environment", "stage") and people.literal(value):
                return {"environment": value.strip()}
    return {}


# Names a provider knows an identity by, kept literal or noted for `--observed` joins (#26).
PROVIDER_NAMES = {"aws_iam_user": ("name",), "aws_iam_access_key": ("user",),
                  "aws_iam_signing_certificate": ("user_name",), "azuread_application":
                  ("display_name",), "azuread_application_registration": ("display_name",),
                  "google_service_account": ("account_id", "project"),
                  "google_service_account_key": ("service_account_id",)}  # fmt: skip


def _provider_names(kind: str, body: Mapping[str, JSON]) -> dict[str, JSON]:
    keys = [key for key in PROVIDER_NAMES.get(kind, ()) if key in body]
    found: dict[str, JSON] = {key: body[key] for key in keys if people.literal(body[key])}
    written: list[JSON] = [key for key in keys if key not in found]
    return {**found, "not_literal": written} if written else found


def _literal_secret(body: Mapping[str, JSON]) -> dict[str, JSON]:
    """A secret value written in the resource (`plaintext_value = "ghp_..."`), never kept."""
    # Terraform 1.11's write-only arguments (`client_secret_wo`) hold the same values.
    for key in (*SECRET_VALUE_KEYS, *(f"{key}_wo" for key in SECRET_VALUE_KEYS)):
        value = body.get(key)
        if not isinstance(value, str) or "${" in value:
            continue
        match = secrets.detect(value)
        if match is not None or secrets.looks_secret(value):
            return {
                "secret_present": True,
                "secret_attribute": key,
                "detector": match.detector if match else "high_entropy",
            }
    return {}


def _expression(value: JSON) -> JSON:
    """An HCL expression as Terraform users write it (`var.n`, not python-hcl2's `${var.n}`)."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def _module(
    path: str, name: str, body: Mapping[str, JSON], line: int, end: int
) -> Iterator[ModuleCall | Identity]:
    """The module call, its source without userinfo, and the credential that userinfo held
    (`git::https://oauth2:TOKEN@host/...`, #16)."""
    source, version = body.get("source"), body.get("version")
    yield ModuleCall(
        path=path,
        line=line,
        name=name,
        source=_source(source),
        version=version if people.literal(version) else None,
    )
    match = secrets.secret_in(source) if isinstance(source, str) else None
    if match is not None:
        yield Identity(
            scanner="terraform", kind="module_source_credential", category=Category.CREDENTIAL,
            name=f"module.{name}.source", path=path, line=line, end_line=end,
            pointer=f"module.{name}/source", anchor_line=line,
            attributes={"address": f"module.{name}", "provider": match.provider,
                        "secret_present": True, "secret_attribute": "source",
                        "detector": match.detector},
        )  # fmt: skip


def _source(source: JSON) -> str | None:
    """A module source as written, without userinfo; None when it is an expression or still
    holds a secret once the userinfo is gone."""
    if not isinstance(source, str):
        return None
    stripped = secrets.strip_userinfo(source)
    return stripped if people.literal(stripped) else None
