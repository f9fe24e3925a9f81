"""`nhi explain` and `nhi demo` from the command line."""

from __future__ import annotations

from pathlib import Path

from scanner.cli import main


def test_demo_shows_people_and_findings(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "org"
    assert main(["demo", "--folder", str(folder)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"nhi demo: a sample organisation in {folder}"
    assert out[2:10] == [
        "acme/payments-infra",
        "  deployer.tf:1 aws_iam_user ci_deployer",
        "      provisioned by alice@acme.example (medium); owned by @acme/payments-platform",
        "  deployer.tf:5 aws_iam_access_key ci_deployer",
        "      provisioned by alice@acme.example (high); owned by @acme/payments-platform",
        "  deployer.tf:9 aws_iam_user_policy_attachment ci_deployer",
        "      provisioned by bob@acme.example (high); owned by @acme/payments-platform",
        "  deployer.tf:15 aws_iam_access_key ci_deployer_2",
    ]
    assert "      provisioned by bob@acme.example (high); owned by NOBODY" in out
    assert main(["demo", "--folder", str(folder)]) == 3
    assert (
        capsys.readouterr().err
        == f"nhi: error: {folder} is not empty; give a new or empty folder\n"
    )


def test_explain_gives_the_evidence_chain(tmp_path: Path, capsys) -> None:
    main(["demo", "--folder", str(tmp_path / "org")])
    capsys.readouterr()
    repo = tmp_path / "org/payments-infra"
    assert main(["explain", "--repo", str(repo), "deployer.tf#aws_iam_user.ci_deployer"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:4] == [
        "deployer.tf#aws_iam_user.ci_deployer",
        "  aws_iam_user ci_deployer (identity), deployer.tf lines 1-3",
        "",
        "provisioner: Alice Archer <alice@acme.example>, confidence medium",
    ]
    assert out[5].startswith("  looked past bot commit ")
    assert out[-2:] == [
        "owners: @acme/payments-platform (CODEOWNERS rule at CODEOWNERS:1)",
        "declared owners: none",
    ]
    assert main(["explain", "--repo", str(repo), "deployer.tf#aws_iam_access_key.ci_deployer"]) == 0
    text = capsys.readouterr().out
    assert "  not counted: whitespace-only change in " in text
    assert "by bob@acme.example on 2025-12-01 (Reformat, and let the deployer push images)" in text
    # The path:line that `nhi scan` prints names the same identity (issue 22).
    assert main(["explain", "--repo", str(repo), "deployer.tf:5"]) == 0
    assert capsys.readouterr().out == text
    assert main(["explain", "--repo", str(repo), "missing#x"]) == 3
    assert capsys.readouterr().err == (
        "nhi: error: no identity 'missing#x' here; give an id from `nhi scan --format json` or "
        "a path:line from `nhi scan`\n"
    )


def test_bad_bot_pattern_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["scan", "--repo", str(tmp_path), "--bot-pattern", "(["]) == 3
    assert capsys.readouterr().err.startswith("nhi: error: --bot-pattern '([': not a regular")
