"""What a workflow step is given: federation (OIDC) and GitHub App tokens, judged by its inputs
rather than the action it names so wrappers and local actions count too (issue 19), stored
cloud keys, and the settings kept from it. Pure rules; `workflows` places the identities."""

from __future__ import annotations

from collections.abc import Mapping

from scanner import secrets
from scanner.model import JSON
from scanner.scanners import _scripts
from scanner.scanners._json import JSONPath

# Inputs and variables that hand a step a stored cloud key (the opposite of federation).
STATIC_INPUTS = {
    "aws-actions/configure-aws-credentials": {"aws-access-key-id", "aws-secret-access-key"},
    "google-github-actions/auth": {"credentials_json"},
    "azure/login": {"creds"},
}
# AWS_ACCESS_KEY/AWS_SECRET_KEY: the AWS SDK for Java's alternates (seen in pulumi/pulumi);
# ARM_*/GOOGLE_CREDENTIALS: what the Terraform azurerm and google providers read.
STATIC_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY", "AWS_SECRET_KEY",
               "AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET", "GOOGLE_CREDENTIALS",
               "GOOGLE_APPLICATION_CREDENTIALS_JSON"}  # fmt: skip

# electron/github-app-auth-action takes the app's id and key as one bundle, `creds` (its README).
_APP_TOKEN_ACTIONS = ("actions/create-github-app-token", "tibdex/github-app-token",
                      "peter-murray/workflow-application-token-action",
                      "navikt/github-app-token-generator",
                      "electron/github-app-auth-action")  # fmt: skip
_APP_ID_INPUTS = ("app-id", "client-id", "app_id", "client_id", "application_id",
                  "application-id", "github_app")  # fmt: skip
# Trusted publishing: the registry trusts the workflow's OIDC token instead of a stored key.
_TRUSTED_PUBLISHING = {"pypa/gh-action-pypi-publish": "pypi",
                       "rust-lang/crates-io-auth-action": "crates.io",
                       "rubygems/release-gem": "rubygems",
                       "rubygems/configure-rubygems-credentials": "rubygems"}  # fmt: skip
# Keyless signing: each trades the job's OIDC token with Sigstore for a certificate naming the
# workflow (docs.github.com "Using artifact attestations", the slsa-github-generator and
# gh-action-sigstore-python READMEs; seen in cli/cli, goreleaser, argoproj/argo-cd).
_SIGNING = {"actions/attest-build-provenance": "sigstore", "actions/attest-sbom": "sigstore",
            "actions/attest": "sigstore", "sigstore/gh-action-sigstore-python": "sigstore",
            "slsa-framework/slsa-github-generator": "sigstore"}  # fmt: skip
# Each fetches its credential through get-vault-secrets or login-to-gar (their action.yaml);
# grafana/writers-toolkit's publish-technical-documentation fetches from Vault and its
# deploy-preview reusable workflow through google-github-actions/auth (seen in grafana/alloy).
_WRAPPERS = {"/actions/get-vault-secrets": "vault", "/actions/login-to-gar": "gcp",
             "/actions/dockerhub-login": "vault", "/actions/build-push-to-dockerhub": "vault",
             "/actions/trigger-argo-workflow": "vault",
             "writers-toolkit/publish-technical-documentation": "vault",
             "writers-toolkit/.github/workflows/deploy-preview.yml": "gcp"}  # fmt: skip
# Security token services that trade the job's OIDC token for a GitHub token: octo-sts/action
# (inputs `scope`, `identity`: the trust policy; known by name like the other actions above, so
# a step missing an input still counts) and ost-simple-sts (`exchange-url`, `audience`), per
# each action.yml (ost-simple-sts seen in astral-sh/uv, octo-sts in chainguard-dev/malcontent).
# DataDog's fork names the trust policy `policy` (github.com/DataDog/dd-octo-sts-action).
_STS_ACTIONS = {"octo-sts/action": "identity", "datadog/dd-octo-sts-action": "policy"}
_STS_INPUTS = (("identity", "scope"), ("exchange-url", "audience"))
# Secret managers that sign in with the job's OIDC token when told to: (provider, the switch
# set to `oidc`, the input naming the identity), per Infisical/secrets-action's action.yaml and
# DopplerHQ/secrets-fetch-action's action.yml; with their default, a stored token, they do not.
# Doppler's identity id serves only OIDC, so it counts alone (handed to a reusable workflow).
_SECRET_MANAGERS = (("infisical", "method", "identity-id"),
                    ("doppler", "auth-method", "doppler-identity-id"))  # fmt: skip
# An Azure client id handed to a wrapper (grafana/shared-workflows azure-trusted-signing passes
# `azure-client-id` to azure/login's `client-id`, seen in grafana/alloy).
_AZURE_CLIENT_IDS = ("client-id", "azure-client-id", "azure_client_id")


def app_token(action: str, inputs: Mapping[str, JSON]) -> str | None:
    """The input naming the app ("" if none) when a step mints a GitHub App token.

    Known actions count as they are; any other step counts when it is handed an app id and
    a private key, which is what every wrapper (`grafana/shared-workflows`, local actions) takes.
    """
    named = next((k for k in _APP_ID_INPUTS if k in inputs), "")
    if action in _APP_TOKEN_ACTIONS:
        return named or ("creds" if "creds" in inputs else "")
    keyed = any("private" in k.lower() and "key" in k.lower() for k in inputs)
    if named == "github_app":  # grafana/shared-workflows: the key is fetched from Vault inside
        return named
    return named if named and keyed else None


def federation(
    action: str,
    inputs: Mapping[str, JSON],
    step: Mapping[str, JSON],
    app: bool,
    id_token: bool,
    scope: str = "",
) -> tuple[str, str, JSONPath] | None:
    """(provider, name as written, path under the step naming it) when a step federates.

    Judged by what the step is given, not which action it names, so wrappers count too. Inputs
    as documented by aws-actions/configure-aws-credentials, google-github-actions/auth,
    azure/login and hashicorp/vault-action (action.yml of each).
    """
    found = _by_inputs(action, inputs, app, id_token)
    if found is not None:
        return found
    wrapper = _wrapper(str(step.get("uses", "")), inputs, id_token)
    if wrapper is not None:
        return wrapper
    exchange = _sts(inputs) if id_token else None
    if exchange is not None:
        return "github", str(inputs[exchange]), ("with", exchange)
    if action in _STS_ACTIONS:
        named = _STS_ACTIONS[action]
        return (
            ("github", str(inputs[named]), ("with", named))
            if named in inputs
            else ("github", action, ())
        )
    pulumi = _pulumi(action, inputs, step) if id_token else None
    if pulumi is not None:
        return pulumi
    if action == "codecov/codecov-action" and str(inputs.get("use_oidc", "")).lower() == "true":
        return "codecov", action, ("with", "use_oidc")  # codecov-action README: `use_oidc`
    published = _TRUSTED_PUBLISHING.get(action)
    if published is not None and not ({"password", "api-token"} & set(inputs)):
        return published, action, ()
    if action in _SIGNING:
        return _SIGNING[action], action, ()
    env = step.get("env")
    if isinstance(env, dict):
        found = _by_env(env)
        if found is not None:
            return found
    run = step.get("run")
    if isinstance(run, str):
        return _scripts.by_run(run, scope, id_token)
    return None


# Where the Pulumi organization an OIDC exchange signs in to is named.
_PULUMI_ORGANIZATION = (("with", "organization"), ("with", "oidc-organization"),
                        ("env", "ESC_ACTION_OIDC_ORGANIZATION"))  # fmt: skip


def _pulumi(
    action: str, inputs: Mapping[str, JSON], step: Mapping[str, JSON]
) -> tuple[str, str, JSONPath] | None:
    """Pulumi Cloud's OIDC exchange: pulumi/auth-actions, and the ESC actions when told to use
    it (`ESC_ACTION_OIDC_AUTH: "true"` for pulumi/esc-action, `oidc-auth: true` for
    esc-export-secrets-action; each action's README, seen in pulumi/pulumi-aws-native)."""
    env = step.get("env")
    given = {"with": inputs, "env": env if isinstance(env, dict) else {}}
    switches = (given["env"].get("ESC_ACTION_OIDC_AUTH"), inputs.get("oidc-auth"))
    oidc = any(str(switch).lower() == "true" for switch in switches)
    if action != "pulumi/auth-actions" and not (action.startswith("pulumi/esc") and oidc):
        return None
    for place, key in _PULUMI_ORGANIZATION:
        if key in given[place]:
            return "pulumi", str(given[place][key]), (place, key)
    return "pulumi", action, ()


def _role_arn(inputs: Mapping[str, JSON]) -> str | None:
    """An input naming an AWS role to assume (`role-arn`, `aws_role_arn`), without a stored key."""
    if any("access-key-id" in k.replace("_", "-").lower() for k in inputs):
        return None
    suffixes = ("role-arn", "role-to-assume", "assume-role")  # launchdarkly `aws_assume_role`
    return next((k for k in inputs if k.replace("_", "-").lower().endswith(suffixes)), None)


def _sts(inputs: Mapping[str, JSON]) -> str | None:
    """The input naming the trust when a step trades its OIDC token with a token service."""
    return next((named for named, other in _STS_INPUTS if {named, other} <= set(inputs)), None)


def _by_inputs(
    action: str, inputs: Mapping[str, JSON], app: bool, id_token: bool
) -> tuple[str, str, JSONPath] | None:
    if "role-to-assume" in inputs and "aws-access-key-id" not in inputs:
        return "aws", str(inputs["role-to-assume"]), ("with", "role-to-assume")
    role = _role_arn(inputs) if id_token else None  # grafana aws-auth `role-arn`, `aws_role_arn`
    if role is not None:
        return "aws", str(inputs[role]), ("with", role)
    if "workload_identity_provider" in inputs:  # named, and placed, by the service account
        key = "service_account" if inputs.get("service_account") else "workload_identity_provider"
        return "gcp", str(inputs[key]), ("with", key)
    jwt = str(inputs.get("method", "")).lower() == "jwt"
    if jwt and (action == "hashicorp/vault-action" or id_token):
        key = "role" if "role" in inputs else "method"
        return "vault", str(inputs.get("role") or inputs.get("url") or "jwt"), ("with", key)
    for provider, switch, named in _SECRET_MANAGERS:
        oidc = str(inputs.get(switch, "")).lower() == "oidc"
        if named in inputs and (oidc or (id_token and provider == "doppler")):
            return provider, str(inputs[named]), ("with", named)
        if oidc and id_token:
            return provider, action or "oidc", ("with", switch)
    if {"oauth-client-id", "audience"} <= set(inputs) and "oauth-secret" not in inputs:
        # tailscale/github-action's workload identity federation: a client id and an audience
        # instead of the OAuth secret (tailscale.com/docs/integrations/github/github-action).
        return "tailscale", str(inputs["oauth-client-id"]), ("with", "oauth-client-id")
    known = action in ("azure/login", "google-github-actions/auth")
    if not (known or id_token) or app:
        return None
    client = next((k for k in _AZURE_CLIENT_IDS if k in inputs), None)
    secret = any("secret" in k.lower() or k == "creds" for k in inputs)
    if client is not None and not secret:
        return "azure", str(inputs[client]), ("with", client)
    if action != "google-github-actions/auth" and "service_account" in inputs \
            and not ({"credentials_json", "credentials"} & set(inputs)):  # fmt: skip
        return "gcp", str(inputs["service_account"]), ("with", "service_account")
    return None


def _wrapper(
    uses: str, inputs: Mapping[str, JSON], id_token: bool
) -> tuple[str, str, JSONPath] | None:
    """Wrappers whose inputs name no identity: the federation is inside them (seen in every
    grafana repository; grafana/shared-workflows actions/*/action.yaml)."""
    if not id_token:
        return None
    path = uses.split("@")[0].lower()
    for suffix, provider in _WRAPPERS.items():
        if path.endswith(suffix):
            return provider, path.rsplit("/", 1)[-1], ()
    return None


def _by_env(env: Mapping[str, JSON]) -> tuple[str, str, JSONPath] | None:
    """Federation the SDKs read from the environment, with no action involved."""
    if str(env.get("ARM_USE_OIDC", "")).lower() == "true" and "ARM_CLIENT_ID" in env:
        return "azure", str(env["ARM_CLIENT_ID"]), ("env", "ARM_CLIENT_ID")
    if "AWS_ROLE_ARN" in env and "AWS_WEB_IDENTITY_TOKEN_FILE" in env:
        return "aws", str(env["AWS_ROLE_ARN"]), ("env", "AWS_ROLE_ARN")
    # projen's publib publishes through the registry's trusted publishing when told to
    # (`NPM_TRUSTED_PUBLISHER: "true"`, seen in every projen release workflow, cdklabs/cdk-nag).
    for key, provider in _PUBLIB:
        if str(env.get(key, "")).lower() == "true":
            return provider, key, ("env", key)
    return None


_PUBLIB = (("NPM_TRUSTED_PUBLISHER", "npm"), ("PYPI_TRUSTED_PUBLISHER", "pypi"),
           ("NUGET_TRUSTED_PUBLISHER", "nuget"))  # fmt: skip


def setting(value: JSON) -> JSON:
    """A setting copied from the file into attributes, unless it holds a secret (#16)."""
    texts = [*value, *value.values()] if isinstance(value, dict) else [value]
    if any(isinstance(t, str) and secrets.secret_in(t) for t in texts):
        return "unreadable"
    return value


def action(uses: JSON) -> str:
    """`owner/repo` of a `uses:` reference, lower-cased, without path or ref."""
    if not isinstance(uses, str) or uses.startswith(("./", "docker://")):
        return ""
    return "/".join(uses.split("@")[0].split("/")[:2]).lower()
