"""What a step's `run:` script federates with: a cloud CLI's federated sign-in, a request for
the job's OIDC token, keyless signing, and registry publishing that trades the token instead
of a stored one. Pure rules over the script's text; `workflows` places the identities.

Each rule returns (provider, name, ("run", offset)): `offset` is where, in the script, the
command starts, so the identity's line is the command's, not the `run:` key's."""

from __future__ import annotations

import re

from scanner.model import JSON
from scanner.scanners._json import JSONPath, Span, Spans

Found = tuple[str, str, JSONPath]

# Cloud CLIs that trade the job's OIDC token in a script: `azd auth login
# --federated-credential-provider github` (what `azd pipeline config` writes into every azd
# template's workflow, seen in Azure-Samples/todo-nodejs-mongo), `az login --service-principal
# --federated-token` (learn.microsoft.com: "azd auth login", "az login") and `aws sts
# assume-role-with-web-identity --role-arn` (AWS CLI reference), each named by the identity it
# signs in as. A command, not a mention (`echo "... az login ..."`); continued lines (`\` in
# bash, a backtick in PowerShell) are read as one command.
_CONTINUED = re.compile(r"[\\`][ \t]*\r?\n")
_ARGUMENT = r"[ \t=]+(\$\{\{[^}\n]*\}\}|\"[^\"\n]*\"|'[^'\n]*'|\S+)"
_COMMAND = r"(?m)(?:^|[;&|(])[ \t]*"
_SCRIPT_LOGINS = (
    ("azure", re.compile(_COMMAND + r"(?:azd[ \t]+auth[ \t]+login\b[^\n]*"
                         r"--federated-credential-provider|az[ \t]+login\b[^\n]*--federated-token)"
                         r"\b[^\n]*"),
     re.compile(r"(?:--client-id|--username|-u)" + _ARGUMENT)),
    ("aws", re.compile(_COMMAND + r"aws[ \t]+sts[ \t]+assume-role-with-web-identity\b[^\n]*"),
     re.compile(r"--role-arn" + _ARGUMENT)),
)  # fmt: skip

# The audience a script asks the job's token for (`$ACTIONS_ID_TOKEN_REQUEST_URL&audience=X`),
# and the provider an audience names (AWS's `sts.amazonaws.com`, Entra's
# `api://AzureADTokenExchange`, GCP's `//iam.googleapis.com/...`, per each one's OIDC guide);
# any other audience is the token's issuer's, GitHub's. curl may pass it as data (`-G
# --data-urlencode "audience=..."`, seen in hashicorp/terraform-provider-azuread).
_AUDIENCE = re.compile(r"(?:[?&]|--data(?:-urlencode)?[ \t=]+[\"']?)audience=([^&\"'\s)]+)")
_AUDIENCES = (("amazonaws.com", "aws"), ("azureadtokenexchange", "azure"),
              ("iam.googleapis.com", "gcp"), ("vault", "vault"))  # fmt: skip


def _run_line(command: str) -> str:
    """A line running `command`: not a comment, nor text an `echo` prints (`echo "$TAGS" |
    xargs cosign sign`, GitHub's docker-publish starter workflow, runs it)."""
    return rf"(?m)^(?![ \t]*#)(?![ \t]*echo\b[^|;&\n]*{command})[^\n]*?(?<![\w.-])"


# npm signs provenance with the job's OIDC token (`--provenance`, or `NPM_CONFIG_PROVENANCE`);
# since npm 11.5 `npm publish` also authenticates with it when the package trusts the workflow
# and no token is configured (docs.npmjs.com/trusted-publishers; seen in nodejs/undici,
# apache/opendal, microsoft/playwright-mcp). A `--dry-run` publishes nothing.
# pnpm publishes through the npm CLI (seen in cloudflare/workers-sdk, with no token at all).
_NPM_PUBLISH = re.compile(_run_line("p?npm") + r"(p?npm)[ \t]+publish\b([^\n]*)")
_NPM_TOKEN = re.compile(r"NODE_AUTH_TOKEN|NPM_TOKEN|NPM_AUTH_TOKEN|_authToken")
_NPM_PROVENANCE = re.compile(r"(?i)NPM_CONFIG_PROVENANCE\W+true")
# uv docs, "Publishing your package": in GitHub Actions `uv publish` uses trusted publishing
# unless given credentials or `--trusted-publishing never` (seen in astral-sh/uv).
_UV_PUBLISH = re.compile(r"\buv\s+publish\b([^\n]*)")
_UV_CREDENTIALS = re.compile(
    r"(?:^|\s)(?:--token|-t|--password|-p|--trusted-publishing[= ]never)\b"
)
_UV_TOKEN = re.compile(r"UV_PUBLISH_TOKEN|UV_PUBLISH_PASSWORD")
# Keyless signing: without `--key`, `cosign sign`/`attest` (and their `-blob` forms) trade the
# job's OIDC token with Sigstore's Fulcio for a signing certificate naming the workflow
# (docs.sigstore.dev, "Signing with GitHub Actions"; seen in ossf/scorecard, fluxcd/flux2).
_COSIGN = re.compile(
    _run_line("cosign") + r"(cosign[ \t]+(?:sign|attest)(?:-blob)?)(?![\w-])([^\n]*)"
)


def by_run(run: str, scope: str, id_token: bool) -> Found | None:
    """A script that federates. `scope` is the text around the step (its job and the
    workflow's `env`) where a stored registry token would be configured. The token request
    URL is set only for a job that may request the token (GitHub docs, "OpenID Connect"): a
    script naming it elsewhere (`--exclude-env ACTIONS_ID_TOKEN_REQUEST_URL`) does not
    federate, and a request needs the URL and its bearer token both: one alone is a check
    (`if [[ -z "$ACTIONS_ID_TOKEN_REQUEST_URL" ]]`, terraform-provider-azuread)."""
    command = _CONTINUED.sub(lambda m: " " * len(m[0]), run)  # offsets stay the script's
    for provider, login, identity in _SCRIPT_LOGINS:  # before the token request they may use
        found = login.search(command)
        if found is not None:
            named = identity.search(found[0])
            name = named[1].strip("\"'") if named else found[0].strip(" \t;&|(").split(" --")[0]
            return provider, name, ("run", found.start())
    if id_token and all(f"ACTIONS_ID_TOKEN_REQUEST_{part}" in run for part in ("URL", "TOKEN")):
        audience = _AUDIENCE.search(command)  # whom the token is for names the trust
        if audience is None:
            start = run.find("ACTIONS_ID_TOKEN_REQUEST_URL")
            return "github", "ACTIONS_ID_TOKEN_REQUEST_URL", ("run", start)
        where = audience[1].lower()
        provider = next((p for needle, p in _AUDIENCES if needle in where), "github")
        return provider, audience[1], ("run", audience.start())
    return _publish(run, command, scope, id_token) or _signing(command, id_token)


def _publish(run: str, command: str, scope: str, id_token: bool) -> Found | None:
    for npm in _NPM_PUBLISH.finditer(command):
        if "--provenance" in npm[2] or _NPM_PROVENANCE.search(scope):
            return "npm", f"{npm[1]} publish --provenance", ("run", npm.start(1))
        npm_keyed = bool(_NPM_TOKEN.search(scope) or _NPM_TOKEN.search(run))
        if id_token and "--dry-run" not in npm[2] and not npm_keyed:
            return "npm", f"{npm[1]} publish", ("run", npm.start(1))
    uv = _UV_PUBLISH.search(run)
    keyed = uv is not None and (_UV_CREDENTIALS.search(uv[1]) or _UV_TOKEN.search(scope))
    if id_token and uv is not None and not keyed:
        return "pypi", "uv publish", ("run", uv.start())
    return None


def _signing(command: str, id_token: bool) -> Found | None:
    if not id_token:
        return None
    for cosign in _COSIGN.finditer(command):
        if not re.search(r"(?:^|\s)--key\b", cosign[2]):
            return "sigstore", " ".join(cosign[1].split()), ("run", cosign.start(1))
    return None


def line(lines: list[str], span: Span, run: JSON, offset: int) -> int:
    """The line of the command at `offset` in `run`: its text searched in the raw lines the
    `run:` value spans (a block scalar starts on the line after its key)."""
    if not isinstance(run, str):
        return span.line
    start = run.rfind("\n", 0, offset) + 1
    end = run.find("\n", offset)
    text = run[start : end if end >= 0 else len(run)].strip()
    numbers = range(span.line, span.end_line + 1)
    same = (n for n in numbers if lines[n - 1].strip() == text)  # before a longer line holding it
    within = (n for n in numbers if text and text in lines[n - 1])
    return next(same, None) or next(within, span.line)


def scope(lines: list[str], spans: Spans, route: JSONPath) -> str:
    """The text that configures the step at `route`: it, and its job's and workflow's `env`."""
    texts = []
    for path in (("env",), (*route[:2], "env"), route):
        try:
            span = spans[path]
        except KeyError:  # no such `env`
            continue
        texts.extend(lines[span.line - 1 : span.end_line])
    return "\n".join(texts)
