"""A declaration of one line in a real temporary repository (pinned authors and dates): its
last human edit is no proof of who introduced it.

Workflow shape from PyPI's trusted publishing docs
(https://docs.pypi.org/trusted-publishers/using-a-publisher/) and the
pypa/gh-action-pypi-publish README (https://github.com/pypa/gh-action-pypi-publish).
"""

from __future__ import annotations

from scanner import pipeline
from scanner.model import Confidence
from tests.conftest import GitRepo

DEPLOY = """on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
    - uses: pypa/gh-action-pypi-publish@{version}
"""


def _oidc(repo: GitRepo):
    found = [s.attribution.provisioner for s in pipeline.scan(repo.root).subjects
             if s.identity.kind == "workflow_oidc"]  # fmt: skip
    assert len(found) == 1 and found[0] is not None
    return found[0]


def test_a_person_who_pinned_the_step_is_looked_past(git_repo: GitRepo) -> None:
    """pytest's deploy.yml: a maintainer pinned every action to a hash years after the job
    was switched to trusted publishing. The walk back names who switched it."""
    path = ".github/workflows/deploy.yml"
    git_repo.write(path, DEPLOY.format(version="v1.8.0"))
    git_repo.commit("switch to trusted publishing", author="Ron <ron@example.com>",
                    date="2023-01-01T00:00:00Z")  # fmt: skip
    git_repo.write(path, DEPLOY.format(version="0123456789abcdef0123456789abcdef01234567"))
    pin = git_repo.commit("pin actions to hashes", author="Pia <pia@example.com>",
                          date="2024-01-01T00:00:00Z")  # fmt: skip
    found = _oidc(git_repo)
    assert (found.email, found.confidence) == ("ron@example.com", Confidence.MEDIUM)
    assert found.evidence[1:] == (
        f"edited by pia@example.com in {pin[:7]} (pinned the action to a commit)",
    )


def test_a_step_written_once_stays_high(git_repo: GitRepo) -> None:
    git_repo.write(".github/workflows/deploy.yml", DEPLOY.format(version="v1.8.0"))
    git_repo.commit("publish with OIDC", author="Ron <ron@example.com>")
    git_repo.write("README.md", "docs\n")
    git_repo.commit("docs", author="Pia <pia@example.com>")
    found = _oidc(git_repo)
    assert (found.email, found.confidence) == ("ron@example.com", Confidence.HIGH)
