"""`nhi aggregate --github-org` on hostile artifacts: no report's word about itself is trusted.

A local GitHub (tests/aggregate/server.py) serves one artifact per repository; each case is one
hostile artifact beside the real report of acme/infra, and what the aggregator must do.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.cli import main
from tests.aggregate.server import State, github, repo, zip_of

REPORT = Path(__file__).parent.parent / "reporters" / "golden" / "report.json"
ROSTER = "email,status\nalice@example.com,active\n"


def report(name: str, identity_name: str = "ci") -> bytes:
    document = json.loads(REPORT.read_text())
    document["repository"]["name"] = name
    for identity in document["identities"]:
        identity["name"] = identity_name
    return json.dumps(document).encode()


def artifact(state: State, number: int, name: str, files: dict[str, bytes]) -> None:
    state.artifacts[f"acme/{name}"] = [{
        "id": number, "name": "nhi-report", "expired": False, "size_in_bytes": 10,
        "archive_download_url": f"{state.base}/repos/acme/{name}/actions/artifacts/{number}/zip",
    }]  # fmt: skip
    state.archives[number] = zip_of(files)


CASES = {
    "claims_another_repository": (
        {"evil.json": report("acme/infra", "forged")},
        "came from acme/evil's artifact but says it is 'acme/infra'",
    ),
    "claims_another_repository_in_other_case": (
        {"evil.json": report("ACME/Infra", "forged")},
        "came from acme/evil's artifact but says it is 'ACME/Infra'",
    ),
    "thirty_thousand_members": (
        {f"r{n}.json": b"{}" for n in range(30_000)},
        "the artifact holds 30000 files, more than 1000",
    ),
    "legacy_command_in_a_member_name": (
        {"../##[error]forged.json": b"{}"},
        "unsafe path in the artifact: '../##[error]forged.json'",
    ),
}


def run(tmp_path: Path, capsys, files: dict[str, bytes], *extra: str) -> tuple[int, dict, str]:
    (tmp_path / "roster.csv").write_text(ROSTER)
    with github(State()) as state:
        state.repos = [repo(state.base, "infra"), repo(state.base, "evil")]
        artifact(state, 1, "infra", {"report.json": report("acme/infra")})
        artifact(state, 2, "evil", files)
        code = main(["aggregate", "--github-org", "acme", "--github-url", state.base,
                     "--roster", str(tmp_path / "roster.csv"), "--as-of", "2026-11-01",
                     "--reports-dir", str(tmp_path / "collected"), "--no-db",
                     "--format", "json", *extra])  # fmt: skip
    out, err = capsys.readouterr()
    return code, json.loads(out), err


@pytest.mark.parametrize(("files", "reason"), CASES.values(), ids=CASES.keys())
def test_hostile_artifact_is_rejected_and_the_real_report_stands(
    tmp_path: Path, capsys, monkeypatch, files: dict[str, bytes], reason: str
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    code, result, err = run(tmp_path, capsys, files)
    assert code == 1
    assert result["repositories"] == ["acme/infra"]
    assert {o["name"] for o in result["orphans"]} <= {"ci", "DEPLOY_TOKEN", "weird"}
    sources = [r["source"] for r in result["rejected"]]
    reasons = [r["reason"] for r in result["rejected"]]
    assert reasons == [reason]
    if sources == ["acme/evil"]:  # the artifact itself was refused: said on stderr too
        shown = reason.replace("##[", "##\\[")
        assert f"nhi: acme/evil: {shown}" in err.splitlines()
    else:
        assert sources == [str(tmp_path / "collected/artifacts/acme__evil/evil.json")]
    assert "##[" not in err


def test_a_forgery_in_a_collected_folder_is_rejected_too(tmp_path: Path, capsys) -> None:
    """The shard jobs' reports-dir, aggregated later with --no-collect: same rule."""
    folder = tmp_path / "collected" / "artifacts"
    (folder / "acme__infra").mkdir(parents=True)
    (folder / "acme__evil").mkdir()
    (folder / "acme__infra" / "report.json").write_bytes(report("acme/infra"))
    (folder / "acme__evil" / "report.json").write_bytes(report("acme/infra", "forged"))
    code, result, _err = run(tmp_path, capsys, {}, str(tmp_path / "collected"), "--no-collect")
    assert code == 1
    assert result["rejected"] == [{
        "source": str(folder / "acme__evil" / "report.json"),
        "reason": "came from acme/evil's artifact but says it is 'acme/infra'",
    }]  # fmt: skip
    assert "forged" not in json.dumps(result["orphans"])
