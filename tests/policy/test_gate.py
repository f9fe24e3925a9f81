"""`nhi scan` as a gate, in real repositories: policies, waivers, baselines and diff mode."""

from __future__ import annotations

import json

from scanner.cli import main
from scanner.policy import builtin

KEY = 'resource "aws_iam_access_key" "{name}" {{\n  user = "ci"\n}}\n'
WAIVED = (
    '# nhi:ignore[NHI001,NHI002] owner=@alice expires=2027-03-01 reason="rotating in Q1"\n'
    + KEY.format(name="ci")
)


def scan_json(repo, *args: str, capsys) -> tuple[int, dict]:
    code = main(["scan", "--repo", str(repo.root), "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)


def findings(report: dict) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["identity"], f["status"]) for f in report["findings"]]


def test_unowned_access_key_fails_and_a_declared_owner_passes(git_repo, capsys) -> None:
    git_repo.write("iam.tf", KEY.format(name="ci"))
    git_repo.commit("key")
    code, report = scan_json(git_repo, capsys=capsys)
    assert code == 1
    assert findings(report) == [
        ("NHI001", "iam.tf#aws_iam_access_key.ci", "open"),
        ("NHI002", "iam.tf#aws_iam_access_key.ci", "open"),
    ]
    assert main(["scan", "--repo", str(git_repo.root), "--fail-on", "critical"]) == 0


def test_inline_waiver_suppresses_until_it_expires(git_repo, capsys) -> None:
    git_repo.write("iam.tf", WAIVED)
    git_repo.commit("waived key")
    code, report = scan_json(git_repo, "--today", "2027-03-01", capsys=capsys)
    assert code == 0
    assert findings(report) == [
        ("NHI001", "iam.tf#aws_iam_access_key.ci", "suppressed"),
        ("NHI002", "iam.tf#aws_iam_access_key.ci", "suppressed"),
    ]
    assert report["findings"][0]["waiver"]["owner"] == "@alice"
    assert [(w["source"], w["status"]) for w in report["waivers"]] == [("iam.tf:1", "active")]

    code, report = scan_json(git_repo, "--today", "2027-03-02", capsys=capsys)
    assert code == 1
    assert [f["status"] for f in report["findings"]] == ["open", "open"]
    assert [(w["source"], w["status"], w["detail"]) for w in report["waivers"]] == [
        ("iam.tf:1", "expired", "expired on 2027-03-01; it no longer suppresses")
    ]
    assert main(["scan", "--repo", str(git_repo.root), "--today", "2027-03-02"]) == 1
    assert "iam.tf:1: waiver expired: expired on 2027-03-01" in capsys.readouterr().out


def test_no_waivers_and_invalid_waivers(git_repo, capsys) -> None:
    git_repo.write("iam.tf", WAIVED + "# nhi:ignore[NHI001] reason=later\n" + KEY.format(name="b"))
    code, report = scan_json(git_repo, "--today", "2026-12-01", "--no-waivers", capsys=capsys)
    assert (code, report["waivers"]) == (1, [])
    code, report = scan_json(git_repo, "--today", "2026-12-01", capsys=capsys)
    assert findings(report) == [
        ("NHI001", "iam.tf#aws_iam_access_key.ci", "suppressed"),
        ("NHI002", "iam.tf#aws_iam_access_key.ci", "suppressed"),
        ("NHI001", "iam.tf#aws_iam_access_key.b", "open"),
        ("NHI002", "iam.tf#aws_iam_access_key.b", "open"),
    ]
    assert [(w["source"], w["status"], w["detail"]) for w in report["waivers"]] == [
        ("iam.tf:1", "active", ""),
        ("iam.tf:5", "invalid", "has no owner (owner=@handle or an email)"),
    ]


def test_waiver_file_by_identity_and_by_path(git_repo, capsys) -> None:
    git_repo.write("legacy/old.tf", KEY.format(name="old"))
    git_repo.write("iam.tf", KEY.format(name="ci"))
    git_repo.write(
        ".nhi-waivers.yaml",
        (
            "waivers:\n"
            "  - {rules: [NHI002], identity: 'iam.tf#aws_iam_access_key.ci',\n"
            "     owner: bob@example.com,"
            "     expires: 2027-01-01, reason: OIDC migration}\n"
            "  - {rule: '*', paths: ['legacy/**'], owner: '@acme/legacy', expires: 2027-01-01}\n"
            "  - {rules: [NHI001], paths: ['x/**'], expires: 2027-01-01}\n"
        ),
    )
    _, report = scan_json(git_repo, "--today", "2026-12-01", capsys=capsys)
    assert findings(report) == [
        ("NHI001", "iam.tf#aws_iam_access_key.ci", "open"),
        ("NHI002", "iam.tf#aws_iam_access_key.ci", "suppressed"),
        ("NHI001", "legacy/old.tf#aws_iam_access_key.old", "suppressed"),
        ("NHI002", "legacy/old.tf#aws_iam_access_key.old", "suppressed"),
    ]
    assert [(w["source"], w["status"]) for w in report["waivers"]] == [
        (".nhi-waivers.yaml:2", "active"),
        (".nhi-waivers.yaml:4", "active"),
        (".nhi-waivers.yaml:5", "invalid"),
    ]


def test_broken_waiver_file_exits_3(git_repo, capsys) -> None:
    git_repo.write(".nhi-waivers.yaml", "waivers: {not: a list}\n")
    assert main(["scan", "--repo", str(git_repo.root)]) == 3
    assert capsys.readouterr().err == (
        "nhi: error: .nhi-waivers.yaml: /waivers: expected a list of waivers\n"
    )


def test_baseline_survives_lines_inserted_above(git_repo, tmp_path, capsys) -> None:
    git_repo.write("iam.tf", KEY.format(name="ci"))
    git_repo.commit("key")
    baseline = git_repo.root / ".nhi-baseline"
    assert main(["scan", "--repo", str(git_repo.root), "--write-baseline", str(baseline)]) == 0
    assert capsys.readouterr().err == (
        f"nhi: wrote 2 baseline entries to {baseline}\n"
        "nhi: added '/.nhi-baseline merge=union' to .gitattributes\n"
    )
    assert baseline.read_text().splitlines()[2:] == [
        "NHI001 iam.tf#aws_iam_access_key.ci",
        "NHI002 iam.tf#aws_iam_access_key.ci",
    ]
    git_repo.write("iam.tf", "# padding\n" * 20 + KEY.format(name="ci"))
    code, report = scan_json(git_repo, "--baseline", str(baseline), capsys=capsys)
    assert (code, [f["line"] for f in report["findings"]]) == (0, [21, 21])
    assert {f["status"] for f in report["findings"]} == {"baselined"}
    git_repo.write("new.tf", KEY.format(name="new"))
    assert main(["scan", "--repo", str(git_repo.root), "--baseline", str(baseline)]) == 1


def test_two_branches_adding_baseline_entries_merge_cleanly(git_repo, capsys) -> None:
    baseline = str(git_repo.root / ".nhi-baseline")
    git_repo.write("a.tf", KEY.format(name="a"))
    main(["scan", "--repo", str(git_repo.root), "--write-baseline", baseline])
    git_repo.commit("baseline")
    git_repo.git("checkout", "-q", "-b", "one")
    git_repo.write("b.tf", KEY.format(name="b"))
    main(["scan", "--repo", str(git_repo.root), "--write-baseline", baseline])
    git_repo.commit("accept b")
    git_repo.git("checkout", "-q", "main")
    git_repo.git("checkout", "-q", "-b", "two")
    git_repo.write("c.tf", KEY.format(name="c"))
    main(["scan", "--repo", str(git_repo.root), "--write-baseline", baseline])
    git_repo.commit("accept c")
    git_repo.git("merge", "-q", "--no-edit", "one")  # raises on a conflict
    capsys.readouterr()
    assert main(["scan", "--repo", str(git_repo.root), "--baseline", baseline]) == 0
    lines = (git_repo.root / ".nhi-baseline").read_text().splitlines(keepends=True)
    assert sorted(line for line in lines if line.startswith("NHI001")) == [
        f"NHI001 {name}.tf#aws_iam_access_key.{name}\n" for name in "abc"
    ]


def test_diff_mode_fails_only_on_new_or_changed_identities(git_repo, capsys) -> None:
    git_repo.write("old.tf", KEY.format(name="old") + KEY.format(name="edited"))
    git_repo.commit("old keys")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("old.tf", KEY.format(name="old") + KEY.format(name="edited").replace("ci", "cd"))
    git_repo.write("new.tf", KEY.format(name="new"))
    git_repo.git("mv", "old.tf", "moved.tf")
    git_repo.commit("feature")
    git_repo.write("wip.tf", KEY.format(name="wip"))  # untracked, not committed yet
    code, report = scan_json(git_repo, "--diff-base", "main", capsys=capsys)
    status = {f["identity"]: f["status"] for f in report["findings"] if f["rule"] == "NHI001"}
    assert code == 1
    assert status == {
        "moved.tf#aws_iam_access_key.old": "pre-existing",
        "moved.tf#aws_iam_access_key.edited": "open",
        "new.tf#aws_iam_access_key.new": "open",
        "wip.tf#aws_iam_access_key.wip": "open",
    }
    (git_repo.root / "wip.tf").unlink()
    git_repo.git("reset", "-q", "--hard", "main")  # nothing changed: every finding is older
    assert main(["scan", "--repo", str(git_repo.root), "--diff-base", "main"]) == 0


def test_diff_mode_errors(git_repo, tmp_path, capsys) -> None:
    assert main(["scan", "--repo", str(git_repo.root), "--diff-base", "nope"]) == 3
    # Our message, not git's (issue 22).
    assert capsys.readouterr().err == (
        "nhi: error: --diff-base nope: no such commit, branch or tag in this repository\n"
    )
    assert main(["scan", "--repo", str(tmp_path), "--diff-base", "main"]) == 3
    assert capsys.readouterr().err == "nhi: error: --diff-base needs a git repository\n"


def test_custom_policy_overrides_a_builtin(git_repo, tmp_path, capsys) -> None:
    git_repo.write("iam.tf", KEY.format(name="ci"))
    custom = tmp_path / "NHI001-unowned-identity.yaml"
    from scanner.policy.loader import builtin_folder

    text = (builtin_folder() / "NHI001-unowned-identity.yaml").read_text()
    custom.write_text(text.replace("severity: high", "severity: low"))
    code, report = scan_json(git_repo, "--policies", str(custom), capsys=capsys)
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [
        ("NHI001", "low"),
        ("NHI002", "medium"),
    ]


def test_invalid_custom_policy_exits_3(git_repo, tmp_path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: NHI900\n")
    assert main(["scan", "--repo", str(git_repo.root), "--policies", str(bad)]) == 3
    assert capsys.readouterr().err == (f"nhi: error: {bad}: /: 'title' is a required property\n")


def test_policies_commands(tmp_path, capsys) -> None:
    assert main(["policies", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "NHI001  high      repo  Machine identity has no accountable owner"
    assert len(lines) == len(builtin())
    assert main(["policies", "show", "nhi003"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "NHI003: Secret value committed in plain text\n"
        "severity: critical, scope: repo, OWASP: NHI2\n\n**What.**"
    )
    assert main(["policies", "show", "NHI999"]) == 3
    assert (
        capsys.readouterr().err == "nhi: error: no policy NHI999; `nhi policies list` shows them\n"
    )
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    from scanner.policy.loader import builtin_folder

    good.write_text((builtin_folder() / "NHI003-committed-secret.yaml").read_text())
    bad.write_text("id: NHI900\ntitle: x\n")
    assert main(["policies", "validate", str(good), str(bad)]) == 3
    captured = capsys.readouterr()
    assert captured.out == f"{good}: ok (NHI003)\n"
    assert captured.err == f"nhi: error: {bad}: /: 'severity' is a required property\n"


def test_a_codeowners_rule_makes_the_unowned_key_pass(git_repo, capsys) -> None:
    git_repo.write("infra/iam.tf", KEY.format(name="ci"))
    git_repo.commit("key")
    assert main(["scan", "--repo", str(git_repo.root)]) == 1
    capsys.readouterr()
    git_repo.write(".github/CODEOWNERS", "/infra/ @acme/platform\n")
    git_repo.commit("owners")
    code, report = scan_json(git_repo, capsys=capsys)
    assert code == 0
    assert findings(report) == [("NHI002", "infra/iam.tf#aws_iam_access_key.ci", "open")]
    assert report["identities"][0]["owners"] == ["@acme/platform"]
