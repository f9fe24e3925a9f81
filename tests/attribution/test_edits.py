"""Walking back past the edits of a one-line declaration, in real temporary repositories
(pinned authors and dates): the provisioner is who first declared the identity.

Shapes: PyPI trusted publishing (https://docs.pypi.org/trusted-publishers/using-a-publisher/,
https://github.com/pypa/gh-action-pypi-publish),
GitHub's secrets context (https://docs.github.com/en/actions/security-guides/using-secrets-in-github-actions),
dotenv files (https://github.com/motdotla/dotenv#usage). Values are obvious placeholders.
"""

from __future__ import annotations

import pytest

from scanner import pipeline
from scanner.attribution import edits
from scanner.model import Confidence, Provisioner
from tests.conftest import GitRepo

RON, PIA, ZED = "Ron <ron@example.com>", "Pia <pia@example.com>", "Zed <zed@example.com>"
WORKFLOW = ".github/workflows/deploy.yml"
STEP = """on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
    - uses: pypa/gh-action-pypi-publish@{ref}
{extra}"""


def _provisioner(repo: GitRepo, kind: str) -> Provisioner:
    found = [s.attribution.provisioner for s in pipeline.scan(repo.root).subjects
             if s.identity.kind == kind]  # fmt: skip
    assert len(found) == 1 and found[0] is not None
    return found[0]


def test_version_bumps_and_a_pin_are_all_looked_past(git_repo: GitRepo) -> None:
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra=""))
    first = git_repo.commit("trusted publishing", author=RON, date="2023-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, STEP.format(ref="v1.9.0", extra=""))
    bump = git_repo.commit("bump", author=ZED, date="2023-06-01T00:00:00Z")
    git_repo.write(WORKFLOW, STEP.format(ref="0" * 40, extra=""))
    pin = git_repo.commit("pin", author=PIA, date="2024-01-01T00:00:00Z")
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.email, found.commit, found.confidence) == (
        "ron@example.com", first, Confidence.MEDIUM)  # fmt: skip
    assert found.evidence[1:] == (
        f"edited by pia@example.com in {pin[:7]} (pinned the action to a commit)",
        f"edited by zed@example.com in {bump[:7]} (changed the action's version)",
    )


def test_a_switch_to_trusted_publishing_that_left_the_line_alone(git_repo: GitRepo) -> None:
    """sigstore-python: the `uses:` line was written for a token; removing `password:` made
    it trusted publishing. Blame names the line's author; the switch is who declared it."""
    token = "      with:\n        password: ${{ secrets.PYPI_TOKEN }}\n"
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra=token).replace(
        "    permissions:\n      id-token: write\n", ""))  # fmt: skip
    written = git_repo.commit("publish with a token", author=PIA, date="2022-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra=""))
    switch = git_repo.commit("trusted publishing", author=RON, date="2023-01-01T00:00:00Z")
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.email, found.commit, found.confidence) == (
        "ron@example.com", switch, Confidence.MEDIUM)  # fmt: skip
    assert found.evidence[1] == (
        f"its line is older: written by pia@example.com in {written[:7]}, before it declared this"
    )


def test_a_step_written_once_is_high(git_repo: GitRepo) -> None:
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra=""))
    first = git_repo.commit("trusted publishing", author=RON)
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.commit, found.confidence) == (first, Confidence.HIGH)


def test_a_person_who_pinned_the_step_is_looked_past(git_repo: GitRepo) -> None:
    """pytest's deploy.yml: a maintainer pinned every action to a hash years after the job
    was switched to trusted publishing. The walk back names who switched it."""
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra=""))
    git_repo.commit("switch to trusted publishing", author=RON, date="2023-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, STEP.format(ref="0123456789abcdef0123456789abcdef01234567", extra=""))
    pin = git_repo.commit("pin actions to hashes", author=PIA, date="2024-01-01T00:00:00Z")
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.email, found.confidence) == ("ron@example.com", Confidence.MEDIUM)
    assert found.evidence[1:] == (
        f"edited by pia@example.com in {pin[:7]} (pinned the action to a commit)",
    )


def test_a_step_written_once_stays_high_after_other_commits(git_repo: GitRepo) -> None:
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra=""))
    git_repo.commit("publish with OIDC", author=RON)
    git_repo.write("README.md", "docs\n")
    git_repo.commit("docs", author=PIA)
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.email, found.confidence) == ("ron@example.com", Confidence.HIGH)


def test_a_rewritten_secret_reference_keeps_who_first_named_it(git_repo: GitRepo) -> None:
    job = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n    - run: make\n"
    git_repo.write(WORKFLOW, job + "      env:\n        TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n")
    first = git_repo.commit("deploy", author=RON, date="2023-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, job + "      env:\n        API_TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n")
    edit = git_repo.commit("rename the variable", author=PIA, date="2024-01-01T00:00:00Z")
    found = _provisioner(git_repo, "workflow_secret")
    assert (found.email, found.commit, found.confidence) == (
        "ron@example.com", first, Confidence.MEDIUM)  # fmt: skip
    assert found.evidence[1:] == (f"edited by pia@example.com in {edit[:7]} (changed its line)",)


def test_a_dotenv_value_changed_later_keeps_who_added_the_key(git_repo: GitRepo) -> None:
    git_repo.write(".env", "DEBUG=1\nSTRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxx\n")
    first = git_repo.commit("env", author=RON, date="2023-01-01T00:00:00Z")
    git_repo.write(".env", "DEBUG=1\nSTRIPE_SECRET_KEY=sk_test_yyyyyyyyyyyyyyyy\n")
    git_repo.commit("rotate", author=PIA, date="2024-01-01T00:00:00Z")
    subjects = [s for s in pipeline.scan(git_repo.root).subjects if s.identity.path == ".env"]
    assert subjects, "the .env credential is found"
    found = subjects[0].attribution.provisioner
    assert found is not None
    assert (found.email, found.commit, found.confidence) == (
        "ron@example.com", first, Confidence.MEDIUM)  # fmt: skip


def test_an_earlier_version_that_cannot_be_read_keeps_the_blamed_author(
    git_repo: GitRepo,
) -> None:
    """Never silent: the parent could not be parsed, so the editor stays, and says why."""
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra="") + "  bad: [\n")
    git_repo.commit("broken", author=RON, date="2023-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, STEP.format(ref="0" * 40, extra=""))
    pin = git_repo.commit("pin and fix", author=PIA, date="2024-01-01T00:00:00Z")
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.email, found.commit, found.confidence) == (
        "pia@example.com", pin, Confidence.MEDIUM)  # fmt: skip
    assert found.evidence[1].startswith(
        "not walked back past its edits: whether "
        f"pia@example.com in {pin[:7]} introduced it is unknown"
    )


# Docker's MCP Gateway in compose (https://docs.docker.com/ai/mcp-gateway/#use-the-mcp-gateway-
# with-docker-compose): the service becomes a gateway when its image is docker/mcp-gateway.
COMPOSE = """services:
  gateway:
    image: {image}
    command:
      - --transport=sse
      - --servers=duckduckgo
"""


def test_a_line_from_a_file_renamed_since_keeps_its_author(git_repo: GitRepo) -> None:
    """docker/mcp-gateway: the `--servers` line was written before the service was a gateway,
    in a file renamed since; its new name's history would name the renamer, who wrote nothing
    of it. What the old file declared is not known here, so blame's answer stands, and says
    why it was not walked back."""
    git_repo.write("docker-compose.yaml", COMPOSE.format(image="example/agents-gateway:v2"))
    written = git_repo.commit("a gateway", author=RON, date="2025-01-01T00:00:00Z")
    git_repo.write("docker-compose.yaml", COMPOSE.format(image="docker/mcp-gateway"))
    git_repo.commit("the MCP gateway", author=ZED, date="2025-02-01T00:00:00Z")
    git_repo.git("mv", "docker-compose.yaml", "compose.yaml")
    git_repo.commit("rename", author=PIA, date="2025-03-01T00:00:00Z")
    found = _provisioner(git_repo, "mcp_server")
    assert (found.email, found.commit) == ("ron@example.com", written)
    assert found.evidence[1:] == (
        f"not walked back past its edits: ron@example.com in {written[:7]} wrote its line in "
        "docker-compose.yaml, whether as this declaration is unknown",
    )


# aws-actions/configure-aws-credentials (https://github.com/aws-actions/configure-aws-credentials
# #oidc) with the role in GitHub's secrets or, since 2023, its variables context
# (https://docs.github.com/en/actions/learn-github-actions/variables#using-the-vars-context-to-
# access-configuration-variable-values). The account number is the documented example's.
ROLE = """on: push
permissions:
  id-token: write
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: {role}
        aws-region: us-east-1
"""


def test_a_role_moved_from_secrets_to_variables_keeps_who_federated_it(git_repo: GitRepo) -> None:
    """google-github-actions/auth's test.yml: "Switch to pull non-secret values from env" moved
    the service account from `secrets.` to `vars.`; the step it names was written years before,
    by someone else. The same name in another store is the same identity."""
    git_repo.write(WORKFLOW, ROLE.format(role="${{ secrets.AWS_ROLE_ARN }}"))
    first = git_repo.commit("deploy with OIDC", author=RON, date="2022-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, ROLE.format(role="${{vars.aws_role_arn}}"))
    move = git_repo.commit("non-secret values in vars", author=PIA, date="2023-03-01T00:00:00Z")
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.email, found.commit, found.confidence) == (
        "ron@example.com", first, Confidence.MEDIUM)  # fmt: skip
    assert found.evidence[1:] == (f"edited by pia@example.com in {move[:7]} (changed its line)",)


def test_another_role_named_in_its_place_is_a_new_identity(git_repo: GitRepo) -> None:
    git_repo.write(WORKFLOW, ROLE.format(role="${{ secrets.AWS_ROLE_ARN }}"))
    git_repo.commit("deploy with OIDC", author=RON, date="2022-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, ROLE.format(role="${{ vars.DEPLOY_ROLE_ARN }}"))
    other = git_repo.commit("another role", author=PIA, date="2023-03-01T00:00:00Z")
    found = _provisioner(git_repo, "workflow_oidc")
    assert (found.email, found.commit, found.confidence) == (
        "pia@example.com", other, Confidence.HIGH)  # fmt: skip


def test_a_walk_an_older_version_remembered_is_walked_again(
    git_repo: GitRepo, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A walk's answer is ours, not git's: the cache CI keeps between runs held the answers of
    the version that filled it, and a newer version that walks further served them still."""
    git_repo.write(WORKFLOW, STEP.format(ref="v1.8.0", extra=""))
    first = git_repo.commit("trusted publishing", author=RON, date="2023-01-01T00:00:00Z")
    git_repo.write(WORKFLOW, STEP.format(ref="v1.9.0", extra=""))
    bump = git_repo.commit("bump", author=ZED, date="2023-06-01T00:00:00Z")
    options = pipeline.Options(cache_dir=tmp_path / "cache", jobs=1)

    def provisioner() -> Provisioner:
        found = pipeline.scan(git_repo.root, options=options).subjects[0].attribution.provisioner
        assert found is not None
        return found

    real = edits.walk
    monkeypatch.setattr(edits, "walk", lambda *args, **kwargs: None)  # an older version's walk
    monkeypatch.setattr("scanner.pipeline.cache.salt", lambda: "older")
    assert provisioner().commit == bump
    monkeypatch.setattr(edits, "walk", real)
    monkeypatch.setattr("scanner.pipeline.cache.salt", lambda: "newer")
    assert provisioner().commit == first
