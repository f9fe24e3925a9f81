"""Bots and coding agents in real temporary repositories (pinned authors and dates): accounts
named as bots, a bot's commit that names a new secret, agents' co-author trailers.

Workflow shapes follow GitHub's "Using secrets in GitHub Actions"
(https://docs.github.com/en/actions/security-for-github-actions/security-guides/using-secrets-in-github-actions).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from scanner import pipeline
from scanner.model import Confidence
from tests.conftest import GIT_ENV, GitRepo

ALICE = "Alice Example <alice@example.com>"
DAN = "Dan Reviewer <dan@example.com>"
# Shapes of real bot accounts: a hyphenated release bot, a template-sync bot's noreply address,
# a project bot whose address is bot@<domain>.
RELEASE_BOT = "semantic-release-bot <semantic-release-bot@example.net>"
SYNC_BOT = "sync-bot <60107303+sync-bot@users.noreply.github.com>"
PROJECT_BOT = "example-bot <bot@example.org>"
AGENT = "helper-agent[bot] <264270552+helper-agent[bot]@users.noreply.github.com>"

WORKFLOW = """on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: example/harness@v1
        with:
          model-key: ${{{{ secrets.{name} }}}}
"""
STALE = """on:
  schedule:
    - cron: "0 0 * * *"
jobs:
  stale:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/stale@v9
        with:
          repo-token: ${{ secrets.GITHUB_TOKEN }}
"""


def _provisioner(repo: GitRepo, kind: str = "workflow_secret"):
    found = [s.attribution.provisioner for s in pipeline.scan(repo.root).subjects
             if s.identity.kind == kind]  # fmt: skip
    assert len(found) == 1 and found[0] is not None
    return found[0]


def test_accounts_named_as_bots_are_never_provisioners(git_repo: GitRepo) -> None:
    """A template-sync bot adds the stale workflow; a release bot and a project bot commit to
    the file later. None is named: nobody, with the reason."""
    path = ".github/workflows/stale.yml"
    git_repo.write(path, STALE)
    git_repo.commit("chore: add stale bot [bot-pr]", author=SYNC_BOT, date="2025-01-01T00:00:00Z")
    git_repo.write(path, STALE.replace("@v9", "@v10"))
    git_repo.commit("chore(release): 1.2.0", author=RELEASE_BOT, date="2025-02-01T00:00:00Z")
    git_repo.write(path, STALE.replace("@v9", "@v11"))
    git_repo.commit("meta: sync", author=PROJECT_BOT, date="2025-03-01T00:00:00Z")
    found = _provisioner(git_repo)
    assert (found.email, found.confidence) == ("", Confidence.UNKNOWN)
    assert "by the bot 60107303+sync-bot@users.noreply.github.com" in found.evidence[0]


def test_a_bot_commit_that_names_a_new_secret_is_not_the_old_secrets_author(
    git_repo: GitRepo,
) -> None:
    """A human wired one provider's key; an agent's squash-merged commit replaced it with
    another secret, co-authored by a person. Looking past the bot must not name the author of
    the old secret: the co-author is named (medium), the agent never."""
    path = ".github/workflows/ai.yml"
    git_repo.write(path, WORKFLOW.format(name="FIRST_PROVIDER_KEY"))
    git_repo.commit("ci: add AI tests", author=ALICE, date="2025-01-01T00:00:00Z")
    git_repo.write(path, WORKFLOW.format(name="SECOND_PROVIDER_KEY"))
    agent = git_repo.commit(
        "ci: route tests through another provider\n\n"
        "Co-authored-by: helper-agent[bot] <264270552+helper-agent[bot]@users.noreply.github.com>\n"
        "Co-authored-by: Dan Reviewer <dan@example.com>",
        author=AGENT, date="2025-02-01T00:00:00Z",
    )  # fmt: skip
    found = _provisioner(git_repo)
    assert (found.email, found.commit, found.confidence) == (
        "dan@example.com", agent, Confidence.MEDIUM)  # fmt: skip


def test_a_bot_commit_that_only_edits_a_line_is_still_looked_past(git_repo: GitRepo) -> None:
    """The same shape, but the bot only bumped the action on the line before: the secret's
    name was there already, so its author stays the provisioner."""
    path = ".github/workflows/ai.yml"
    git_repo.write(path, WORKFLOW.format(name="FIRST_PROVIDER_KEY"))
    git_repo.commit("ci: add AI tests", author=ALICE, date="2025-01-01T00:00:00Z")
    git_repo.write(path, WORKFLOW.format(name="FIRST_PROVIDER_KEY").replace(
        "model-key: ${{ secrets.FIRST_PROVIDER_KEY }}",
        "model-key: ${{ secrets.FIRST_PROVIDER_KEY }} # pinned"))  # fmt: skip
    git_repo.commit("chore: pin", author=RELEASE_BOT, date="2025-02-01T00:00:00Z")
    found = _provisioner(git_repo)
    assert (found.email, found.confidence) == ("alice@example.com", Confidence.MEDIUM)


def test_coding_agents_are_no_co_authors(git_repo: GitRepo) -> None:
    """Coding agents sign co-authored commits with no-reply addresses (Claude Code documents
    `Co-Authored-By: Claude <noreply@anthropic.com>`): only people are co-authors."""
    path = ".github/workflows/ai.yml"
    git_repo.write(path, WORKFLOW.format(name="FIRST_PROVIDER_KEY"))
    git_repo.commit(
        "ci: add AI tests\n\nCo-authored-by: Dan Reviewer <dan@example.com>\n"
        "Co-Authored-By: Claude <noreply@anthropic.com>\n"
        "Co-authored-by: Cursor Agent <cursoragent@cursor.com>",
        author=ALICE,
    )  # fmt: skip
    found = _provisioner(git_repo)
    assert (found.email, found.co_authors) == (
        "alice@example.com", ("Dan Reviewer <dan@example.com>",))  # fmt: skip


# The address GitHub's docs and many workflows commit as (cloudposse's readme-action signs
# "readme-action <actions@github.com>"); nobody reads it.
README_ACTION = "readme-action <actions@github.com>"


def test_a_workflow_committing_as_actions_at_github_is_a_bot(git_repo: GitRepo) -> None:
    path = ".github/workflows/stale.yml"
    git_repo.write(path, STALE)
    git_repo.commit("chore: sync workflows", author=README_ACTION, date="2025-01-01T00:00:00Z")
    found = _provisioner(git_repo)
    assert (found.email, found.confidence) == ("", Confidence.UNKNOWN)
    assert "by the bot actions@github.com" in found.evidence[0]


def test_a_bot_at_a_shallow_clones_edge_is_nobody_and_says_why(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """cloudposse/terraform-aws-eks-cluster at depth 15: its edge is a README bot's commit, so
    every older line is blamed on it. The bot is nobody, and history is what is missing, not a
    human: never "no human wrote it"."""
    path = ".github/workflows/stale.yml"
    git_repo.write(path, STALE)
    git_repo.commit("stale issues", author=ALICE, date="2025-01-01T00:00:00Z")
    git_repo.write("README.md", "generated\n")
    edge = git_repo.commit("chore: update README.md", author=README_ACTION,
                           date="2025-02-01T00:00:00Z")  # fmt: skip
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}", str(clone)],
                   check=True, env={**GIT_ENV, "PATH": "/usr/bin:/bin"})  # fmt: skip
    found = [s.attribution.provisioner for s in pipeline.scan(clone).subjects]
    assert len(found) == 1 and found[0] is not None
    assert (found[0].email, found[0].commit) == ("", edge)
    assert found[0].confidence == Confidence.UNKNOWN
    assert found[0].evidence == (
        f"shallow clone: history before {edge[:7]} is missing, so its author may not have "
        "written this line; check out with fetch-depth: 0",
    )
