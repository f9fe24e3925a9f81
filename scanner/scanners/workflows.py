"""GitHub Actions workflows: the credentials each job consumes, with the job as consumer.

Kinds (stable public names) and pointers:
- `workflow_secret` `secrets/<NAME>`: one per distinct secret name (GitHub names are
  case-insensitive; the first spelling is kept), at its first reference: `secrets.NAME`,
  `secrets['NAME']` in any `${{ }}` expression or `if:`, and names declared under
  `on.workflow_call.secrets`. `secrets: inherit` gives `secrets/*inherit`, `toJSON(secrets)`
  `secrets/*all` (both named `*`); `secrets[<expression>]` gives `secrets/[<expression>]`
  with `dynamic: true`. `github.token` is the same token as `secrets.GITHUB_TOKEN` but is not
  a secret reference, so it is not reported.
- `workflow_oidc` `jobs/<job>/steps/<n>/oidc`: a step that trades the job's OpenID Connect
  token (a cloud, Vault, a registry's trusted publishing, Sigstore's keyless signing, a token
  service); `id_token_write` says whether the job may request the token (without it the
  federation fails at run time, but the trust is still declared). A script's is at its command.
- `workflow_app_token` `jobs/<job>/steps/<n>/app-token`: a GitHub App token minted in the job.
- `workflow_literal_credential` `<yaml path>`: an `env`, `with`, `credentials` or reusable-call
  `secrets` entry whose value is written in the file and is credential-like. Never the value.

Federation and app tokens are judged by the inputs a step is given (`role-to-assume`,
`workload_identity_provider`, `client-id` without a secret, ...), so wrapper and local actions
count, and by environment (`ARM_USE_OIDC`, `AWS_WEB_IDENTITY_TOKEN_FILE`) or trusted-publishing
steps; the line is the one naming the identity. Local composite actions (`action.yml` in any
folder) are one job `runs` whose consumer is the action; an identity they only forward from
`${{ inputs.* }}` is left to the calling step (issue 19). Every file is parsed: a textual
pre-filter would hide invalid YAML and shape-only literals, and skipped almost nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from scanner import secrets
from scanner.errors import ParseError
from scanner.model import JSON, Category, Consumer, Identity
from scanner.scanners import (
    _composite_action,
    _expressions,
    _federation,
    _literals,
    _scripts,
    _yaml,
)
from scanner.scanners._federation import app_token, federation
from scanner.scanners._json import JSONPath, Spans

# Local composite actions are read on their own (a step federating inside `runs.steps` is
# reported there), in any folder (`./actions/release`, launchdarkly/js-core); outside
# `.github/actions/` and the root, only one with `runs:`.
PATTERNS = ("/.github/workflows/*.yml", "/.github/workflows/*.yaml", "action.yml", "action.yaml")
_ACTION_PLACES = ("action.yml", "action.yaml", ".github/actions/")
_RUNS = re.compile(r"(?m)^runs[ \t]*:")


@dataclass
class _Secret:
    key: str  # the pointer's last part: the upper-cased name, *inherit, *all or [expression]
    name: str
    line: int
    jobs: set[str] = field(default_factory=set)
    static: bool = False
    declared: bool = False
    flags: dict[str, JSON] = field(default_factory=dict)


def scan(path: str, text: str) -> Iterator[Identity]:
    """Yield the credentials and federations one workflow file declares."""
    action = path.rsplit("/", 1)[-1] in ("action.yml", "action.yaml")
    if action and not path.startswith(_ACTION_PLACES) and not _RUNS.search(text):
        return  # named like an action, but none: not ours to read
    document, spans = _yaml.parse(text)
    if document is None:
        return
    if not isinstance(document, dict):
        raise ParseError("a workflow must be a mapping at the top level", 1)
    if action:
        yield from _composite(path, text, document, spans)
        return
    workflow = _Workflow(path, text.split("\n"), document, spans)  # lines as git counts
    yield from workflow.identities()


def _composite(path: str, text: str, document: dict[str, JSON], spans: Spans) -> Iterator[Identity]:
    """A composite action's steps, read as one job named `runs` whose consumer is the action;
    an identity only forwarded from the caller is the caller's (see `_composite`)."""
    shaped = _composite_action.as_workflow(document, spans)
    if shaped is None:
        return
    workflow = _Workflow(path, text.split("\n"), *shaped, composite=True)
    for identity in workflow.identities():
        if not _composite_action.forwarded(identity):
            yield identity


class _Workflow:
    def __init__(
        self,
        path: str,
        lines: list[str],
        document: dict[str, JSON],
        spans: Spans,
        *,
        composite: bool = False,
    ) -> None:
        self.path, self.lines, self.document, self.spans = path, lines, document, spans
        self.composite = composite
        jobs = document.get("jobs")
        self.jobs: dict[str, JSON] = jobs if isinstance(jobs, dict) else {}
        self.found: dict[str, _Secret] = {}

    def identities(self) -> Iterator[Identity]:
        self._walk(self.document, ())
        self._declared()
        for job_id, job in self.jobs.items():
            if isinstance(job, dict) and job.get("secrets") == "inherit":
                line = self.spans.line(("jobs", job_id, "secrets"))
                self._add("*inherit", "*", line, {job_id}, inherit=True)
        yield from (self._secret(secret) for secret in self.found.values())
        for job_id, job in self.jobs.items():
            if isinstance(job, dict):
                yield from self._steps(job_id, job)
        yield from self._literals(self.document, ())

    # -- secrets ---------------------------------------------------------------------------

    def _walk(self, value: JSON, route: JSONPath) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._walk(item, (*route, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self._walk(item, (*route, index))
        elif isinstance(value, str):
            self._references(value, route)

    def _references(self, value: str, route: JSONPath) -> None:
        expressions = _expressions.expressions(value)
        bare = bool(route) and route[-1] == "if" and "${{" not in value
        if bare:
            expressions.append(value)  # `if:` is an expression even without ${{ }}
        jobs = self._jobs_for(route)
        for expression in expressions:
            for match in _expressions.TOKEN.finditer(expression):
                if match["context"] is None:
                    continue  # a string literal
                needle = _expressions.needle(match[0], all_secrets=match["all"] is not None)
                line = _expressions.locate(self.lines, self.spans[route], needle, bare)
                if match["all"] is not None:
                    self._add("*all", "*", line, jobs, all_secrets=True)
                elif match["dynamic"] is not None:
                    dynamic, leaked = match["dynamic"], secrets.secret_in(match["dynamic"])
                    if leaked is not None:  # a literal token inside the expression (#16)
                        self._add(
                            "[expression]",
                            "secrets[expression]",
                            line,
                            jobs,
                            dynamic=True,
                            secret_present=True,
                            detector=leaked.detector,
                        )
                    else:
                        self._add(f"[{dynamic}]", f"secrets[{dynamic}]", line, jobs, dynamic=True)
                else:
                    name = match["dot"] or match["key"]
                    static = self._static(route, name)
                    self._add(name.upper(), name, line, jobs, static=static)

    def _add(
        self,
        key: str,
        name: str,
        line: int,
        jobs: set[str],
        *,
        static: bool = False,
        **flags: JSON,
    ) -> None:
        secret = self.found.get(key)
        if secret is None:
            secret = self.found[key] = _Secret(key=key, name=name, line=line)
        secret.line = min(secret.line, line)
        secret.jobs |= jobs
        secret.static = secret.static or static
        secret.flags.update(flags)

    def _declared(self) -> None:
        on = self.document.get("on")
        call = on.get("workflow_call") if isinstance(on, dict) else None
        declared = call.get("secrets") if isinstance(call, dict) else None
        if isinstance(declared, dict):
            for name in declared:
                line = self.spans.line(("on", "workflow_call", "secrets", name))
                self._add(name.upper(), name, line, set())
                self.found[name.upper()].declared = True

    def _secret(self, secret: _Secret) -> Identity:
        attributes: dict[str, JSON] = {"jobs": list[JSON](sorted(secret.jobs))}
        environments: list[JSON] = [
            env for env in sorted({self._environment(job) or "" for job in secret.jobs}) if env
        ]
        if environments:
            attributes["environment"] = environments[0] if len(environments) == 1 else environments
        if secret.name.upper() == "GITHUB_TOKEN":
            attributes["ephemeral"] = True
        if secret.static:
            attributes["static_cloud_key"] = True
        if secret.declared:
            attributes["declared"] = True
        attributes.update(secret.flags)
        attributes["permissions"] = {job: self._permissions(job) for job in sorted(secret.jobs)}
        return Identity(
            scanner="workflows", kind="workflow_secret", category=Category.CREDENTIAL,
            name=secret.name, path=self.path, line=secret.line, end_line=secret.line,
            pointer=f"secrets/{secret.key}", anchor_line=secret.line,
            attributes=attributes, consumers=self._consumers(secret.jobs),
        )  # fmt: skip

    def _static(self, route: JSONPath, name: str) -> bool:
        """Whether this reference feeds a long-lived cloud key (not an OIDC federation)."""
        if len(route) >= 2 and route[-2] == "env":
            return str(route[-1]) in _federation.STATIC_ENV
        if len(route) >= 2 and route[-2] == "with":
            step = self._value(route[:-2])
            action = _federation.action(step.get("uses")) if isinstance(step, dict) else ""
            return str(route[-1]) in _federation.STATIC_INPUTS.get(action, set())
        return False

    # -- steps: OIDC and app tokens ------------------------------------------------------------

    def _steps(self, job_id: str, job: dict[str, JSON]) -> Iterator[Identity]:
        steps = job.get("steps")
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict):
                raw = step.get("with")
                inputs: dict[str, JSON] = raw if isinstance(raw, dict) else {}
                yield from self._step(job_id, ("jobs", job_id, "steps", index), step, inputs)
        uses = job.get("uses")
        if isinstance(uses, str) and not uses.startswith("./"):
            # A reusable workflow of another repository is invisible here, so what the call hands
            # it (an app id in `with`, its key in `secrets`) is reported at the call (issue 19);
            # a local one is scanned as its own file.
            given = {**_mapping(job.get("with")), **_mapping(job.get("secrets"))}
            yield from self._step(job_id, ("jobs", job_id), {"uses": uses}, given)

    def _step(
        self, job_id: str, route: JSONPath, step: dict[str, JSON], inputs: dict[str, JSON]
    ) -> Iterator[Identity]:
        action = _federation.action(step.get("uses"))
        uses = str(step["uses"]) if "uses" in step else None
        given = _mapping(self._value((*route, "with")))  # a call's input may sit under `secrets`
        app = app_token(action, inputs)
        if app is not None:
            where = (
                (*route, "with" if app in given else "secrets", app) if app else (*route, "uses")
            )
            yield self._step_identity(
                "workflow_app_token", Category.CREDENTIAL,
                str(inputs.get(app) or "unknown") if app else "unknown", route, where,
                "app-token", job_id, {"job": job_id, "action": uses})  # fmt: skip
        gate = self._id_token(job_id) is not False  # a composite's caller may grant it
        scope = _scripts.scope(self.lines, self.spans, route)  # where a stored token is set
        oidc = federation(action, inputs, step, app is not None, gate, scope)
        if oidc is not None:
            provider, name, part = oidc
            if part[:1] == ("with",) and part[1] not in given:
                part = ("secrets", *part[1:])
            line = None
            if part[:1] == ("run",) and len(part) == 2:  # the command's line in the script
                span = self.spans[(*route, "run")]
                line, part = _scripts.line(self.lines, span, step["run"], int(part[1])), ("run",)
            where = (*route, *part) if part else (*route, "uses" if uses else "run")
            yield self._step_identity(
                "workflow_oidc", Category.IDENTITY, name, route, where, "oidc", job_id,
                {"provider": provider, "job": job_id, "action": uses,
                 "id_token_write": self._id_token(job_id)}, line)  # fmt: skip

    def _step_identity(
        self,
        kind: str,
        category: Category,
        name: str,
        route: JSONPath,
        where: JSONPath,
        suffix: str,
        job_id: str,
        attributes: dict[str, JSON],
        line: int | None = None,
    ) -> Identity:
        name = secrets.strip_userinfo(name)  # a Vault `url:` (#16)
        if secrets.secret_in(name):  # a token written as the role or app id: the `with:` entry
            name = suffix  # is reported as a literal credential
        if isinstance(attributes.get("action"), str):
            attributes["action"] = secrets.strip_userinfo(str(attributes["action"]))
        # The line that names the identity (`role-to-assume:`), so blame finds who wrote it.
        try:
            line = line or self.spans.line(where)
        except KeyError:  # `with:` written as a list or a scalar: no input to point at
            line = self.spans.line(route)
        return Identity(
            scanner="workflows", kind=kind, category=category, name=name, path=self.path,
            line=line, end_line=line,
            pointer=self._pointer(route) + f"/{suffix}", anchor_line=line,
            attributes={**attributes, "permissions": self._permissions(job_id)},
            consumers=self._consumers({job_id}),
        )  # fmt: skip

    # -- literal credentials ---------------------------------------------------------------------

    def _literals(self, value: JSON, route: JSONPath) -> Iterator[Identity]:
        if isinstance(value, dict):
            for key, item in value.items():
                here = (*route, key)
                if _literals.parent(route) and isinstance(item, str):
                    found = self._literal(key, item, here)
                    if found is not None:
                        yield found
                else:
                    yield from self._literals(item, here)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from self._literals(item, (*route, index))

    def _literal(self, key: str, value: str, route: JSONPath) -> Identity | None:
        attributes = _literals.literal(key, value, route)
        if attributes is None:
            return None
        line = self.spans.line(route)
        return Identity(
            scanner="workflows", kind="workflow_literal_credential",
            category=Category.CREDENTIAL, name=key, path=self.path, line=line, end_line=line,
            pointer=self._pointer(route), anchor_line=line, attributes=attributes,
            consumers=self._consumers(self._jobs_for(route)),
        )  # fmt: skip

    # -- helpers ---------------------------------------------------------------------------------

    def _value(self, route: JSONPath) -> JSON:
        value: JSON = self.document
        for part in route:
            if isinstance(value, dict) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:  # pragma: no cover - every route was found by walking this document
                return None
        return value

    def _pointer(self, route: JSONPath) -> str:
        if self.composite and route[:2] == ("jobs", "runs"):
            route = route[1:]  # the path as written in action.yml
        return "/".join(str(p) for p in route)

    def _jobs_for(self, route: JSONPath) -> set[str]:
        if len(route) >= 2 and route[0] == "jobs":
            return {str(route[1])}
        if route and route[0] == "env":  # workflow-level env reaches every job
            return set(self.jobs)
        return set()

    def _environment(self, job_id: str) -> str | None:
        job = self.jobs.get(job_id)
        environment = job.get("environment") if isinstance(job, dict) else None
        if isinstance(environment, dict):
            environment = environment.get("name")
        if not isinstance(environment, str) or secrets.secret_in(environment):  # #16
            return None
        return environment

    def _permissions(self, job_id: str) -> JSON:
        job = self.jobs.get(job_id)
        if isinstance(job, dict) and "permissions" in job:
            return _federation.setting(job["permissions"])
        return _federation.setting(self.document.get("permissions", "default"))

    def _id_token(self, job_id: str) -> bool | None:
        if self.composite:
            return None
        permissions = self._permissions(job_id)
        if permissions == "write-all":
            return True
        return isinstance(permissions, dict) and permissions.get("id-token") == "write"

    def _consumers(self, jobs: set[str]) -> tuple[Consumer, ...]:
        if self.composite:
            return (Consumer(kind="composite_action", ref=self.path),)
        return tuple(Consumer(kind="workflow_job", ref=f"{self.path}#{job}")
                     for job in sorted(jobs))  # fmt: skip


def _mapping(value: JSON) -> dict[str, JSON]:
    return value if isinstance(value, dict) else {}
