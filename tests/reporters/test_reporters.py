"""Every reporter renders the shared sample report exactly as its golden file says."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from scanner import pipeline
from scanner.reporters import REPORTERS
from scanner.reporters.json import from_json, render

GOLDEN = Path(__file__).parent / "golden"
EXTENSIONS = {
    "github": "github.txt",
    "json": "json",
    "markdown": "md",
    "sarif": "sarif",
    "text": "txt",
}


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_reporter_golden(fmt: str, sample_report, golden) -> None:
    golden(GOLDEN / f"report.{EXTENSIONS.get(fmt, fmt)}", REPORTERS[fmt].render(sample_report))


def test_every_reporter_has_a_golden() -> None:
    assert {p.name for p in GOLDEN.iterdir()} == {
        f"report.{EXTENSIONS.get(fmt, fmt)}" for fmt in REPORTERS
    }


def test_json_report_matches_its_schema(sample_report) -> None:
    schema_path = Path(pipeline.__file__).parents[1] / "schemas/report.schema.json"
    schema = json.loads(schema_path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads(REPORTERS["json"].render(sample_report))
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


def test_sarif_matches_the_oasis_schema(sample_report) -> None:
    schema = json.loads((Path(__file__).parent / "schemas/sarif-schema-2.1.0.json").read_text())
    document = json.loads(REPORTERS["sarif"].render(sample_report))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(document)
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert [(r["id"], r["properties"]["security-severity"]) for r in rules] == [
        ("NHI001", "8.0"),
        ("NHI002", "5.5"),
    ]


def test_annotations_cannot_be_forged_by_a_file_name() -> None:
    from scanner.reporters.github import escape_data, escape_property

    name = "a%b,c:d\n::error::x.tf"
    assert escape_property(name) == "a%25b%2Cc%3Ad%0A%3A%3Aerror%3A%3Ax.tf"
    assert escape_data("50% done\r\n::warning::x") == "50%25 done%0D%0A::warning::x"


def test_annotation_limit_per_level(sample_report) -> None:
    import dataclasses

    from scanner.model import Finding, Severity

    many = tuple(
        Finding(
            rule="NHI001",
            severity=Severity.HIGH,
            identity=f"x.tf#r{i}",
            path="x.tf",
            line=i + 1,
            message=f"m{i}",
        )
        for i in range(13)
    )
    out = REPORTERS["github"].render(dataclasses.replace(sample_report, findings=many, errors=()))
    lines = out.splitlines()
    assert [line.split(" ")[0] for line in lines[:10]] == ["::error"] * 10
    assert lines[10:] == [
        "nhi: 3 more annotations were not shown; the job summary and the SARIF report list "
        "every finding."
    ]


def test_markdown_summary_stays_under_one_mebibyte(sample_report) -> None:
    import dataclasses

    from scanner.model import Finding, Severity

    many = tuple(
        Finding(
            rule="NHI001",
            severity=Severity.HIGH,
            identity=f"x.tf#r{i}",
            path="p" * 200 + ".tf",
            line=i + 1,
            message="m",
        )
        for i in range(6000)
    )
    out = REPORTERS["markdown"].render(dataclasses.replace(sample_report, findings=many))
    assert len(out.encode()) < 1024 * 1024
    assert "more findings are not shown, to stay under GitHub's 1 MiB summary limit" in out


def test_json_round_trip(sample_report) -> None:
    import dataclasses

    from scanner.reporters.json import from_json, render

    again = from_json(render(sample_report))
    assert render(again) == render(sample_report)
    assert again.subjects == sample_report.subjects
    assert again.findings == sample_report.findings
    assert again == dataclasses.replace(sample_report, policies=())  # rules are not in JSON


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "r.json: not valid JSON (line 1)"),
        (
            '{"schema_version": 2}',
            "r.json: report format version 2 is not supported; this nhi reads version 1",
        ),
        ('{"schema_version": 1}', "r.json: /: 'tool' is a required property"),
        ("[]", "r.json: /: expected object"),
        # Never the value found, which a hand-edited report could make a secret (#12).
        (
            '{"schema_version": "ghp_Y6tR3wQ9zX2cV5bN8mL1kJ4hG7fD0sA3pO6iU"}',
            "r.json: report format version of type str is not supported; this nhi reads version 1",
        ),
        ("[" * 100_000, "r.json: not valid JSON (nested too deeply)"),
    ],
)
def test_bad_reports_are_explained(text: str, message: str) -> None:
    from scanner.errors import ReportError
    from scanner.reporters.json import from_json

    with pytest.raises(ReportError) as caught:
        from_json(text, "r.json")
    assert str(caught.value) == message


def test_bad_field_is_named_but_never_quoted(sample_report) -> None:
    from scanner.errors import ReportError
    from scanner.reporters.json import from_json

    document = json.loads(render(sample_report))
    document["identities"][0]["line"] = "ghp_Y6tR3wQ9zX2cV5bN8mL1kJ4hG7fD0sA3pO6iU"
    document["findings"][0]["severity"] = "sk-proj-Lk9Jh8Gf7Ds6Ap5Oi4Uy3Tr2Ew1Qz0Xm"
    with pytest.raises(ReportError) as caught:
        from_json(json.dumps(document), "r.json")
    assert str(caught.value) == "r.json: /identities/0/line: expected integer"
    document["identities"][0]["line"] = 1
    with pytest.raises(ReportError) as caught:
        from_json(json.dumps(document), "r.json")
    assert str(caught.value) == "r.json: /findings/0/severity: not one of the allowed values"


def test_fields_a_later_version_adds_are_ignored(sample_report) -> None:
    # Found by the fuzzer (#12): version 1 only adds fields, yet an unknown key in an error,
    # a module or a person raised TypeError (exit 4) instead of being ignored.
    document = json.loads(render(sample_report))
    for item in (*document["errors"], *document["modules"], document):
        item["added_later"] = {"x": 1}
    assert from_json(json.dumps(document)) == from_json(render(sample_report))


def _sarif_of(report) -> dict:
    schema = json.loads((Path(__file__).parent / "schemas/sarif-schema-2.1.0.json").read_text())
    document = json.loads(REPORTERS["sarif"].render(report))
    jsonschema.Draft4Validator(schema).validate(document)
    return document


def test_notices_about_the_scan_are_tool_notifications_never_alerts(sample_report) -> None:
    import dataclasses

    from scanner import policy
    from scanner.model import Finding, Severity

    nhi007 = next(p for p in policy.builtin() if p.id == "NHI007")
    unknown = Finding(
        rule="NHI007",
        severity=Severity.INFO,
        identity="x.tf#aws_iam_user.x",
        path="x.tf",
        line=4,
        message="who introduced aws_iam_user x is unknown",
    )
    report = dataclasses.replace(sample_report, findings=(*sample_report.findings, unknown),
                                 policies=(*sample_report.policies, nhi007))  # fmt: skip
    run = _sarif_of(report)["runs"][0]
    assert "NHI007" not in {r["ruleId"] for r in run["results"]}
    assert "NHI007" not in {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert [(n["descriptor"]["id"], n["level"], n["message"]["text"]) for n in
            run["invocations"][0]["toolExecutionNotifications"]] == [
        ("NHI007", "note", "who introduced aws_iam_user x is unknown"),
        ("nhi/file-not-scanned", "warning", "invalid HCL: unexpected token"),
        ("nhi/file-not-scanned", "warning", "binary file (contains NUL bytes)"),
    ]  # fmt: skip
    assert run["automationDetails"] == {"id": "nhi-scanner/"}


def test_results_are_capped_at_githubs_limit_keeping_the_most_severe(sample_report) -> None:
    import dataclasses

    from scanner.model import Finding, Severity
    from scanner.reporters.sarif import MAX_RESULTS

    low = [Finding(rule="NHI002", severity=Severity.MEDIUM, identity=f"k.tf#k{n}", path="k.tf",
                   line=n + 1, message="long-lived") for n in range(MAX_RESULTS)]  # fmt: skip
    report = dataclasses.replace(sample_report, findings=(*low, *sample_report.findings))
    run = json.loads(REPORTERS["sarif"].render(report))["runs"][0]
    assert len(run["results"]) == MAX_RESULTS
    # 25,003 results: three medium ones go, both high ones stay.
    assert sum(r["level"] == "error" for r in run["results"]) == 2
    assert run["invocations"][0]["toolExecutionNotifications"][-1]["message"]["text"] == (
        "3 more results were left out: GitHub code scanning accepts at most 25,000 per run "
        "(the most severe are kept; the JSON report has them all)"
    )


def test_text_ends_with_what_fail_on_makes_of_it_and_colours_only_when_asked(
    sample_report,
) -> None:
    from scanner.model import Severity
    from scanner.reporters import text

    plain = text.render(sample_report, fail_on=Severity.HIGH, threshold_given=True)
    assert plain.splitlines()[-1] == "--fail-on high: fails (1 open finding at high or above)"
    assert "\033[" not in plain
    critical = text.render(sample_report, fail_on=Severity.CRITICAL, threshold_given=True)
    assert critical.splitlines()[-1] == (
        "--fail-on critical: passes (no open finding at critical or above)"
    )
    assert text.render(sample_report, threshold_given=True).splitlines()[-1] == (
        "--fail-on none: nothing fails (report only)"
    )
    coloured = text.render(sample_report, colour=True).splitlines()
    assert coloured[0] == (
        "infra/iam.tf:9: NHI001 \033[31m[high]\033[0m aws_iam_access_key ci has no accountable "
        "owner"
    )
    assert coloured[1] == "a%b,c:d.tf:1: NHI001 [high] weird has no owner (baselined)"


@pytest.mark.parametrize("separators", [(", ", ": "), (",", ":")])
def test_the_shared_encoder_writes_what_json_dumps_writes(separators) -> None:
    """`encoder` makes json's C encoder once for many values; its text is json.dumps's."""
    from scanner.reporters.json import array, encoder

    encode = encoder(*separators)
    values = [{"a": [1, 2.5, None, True, "é\u2028\x00\"\\"], "b": {}, "": [[]]}, [], "x", -3,
              {"nan": float("nan"), "inf": float("-inf")},
              {"k": {"deep": [{"x": None}]}}]  # fmt: skip
    for value in values:
        assert encode(value) == json.dumps(value, ensure_ascii=False, separators=separators)
    written = "".join(array(values))
    assert json.loads(written.replace("NaN", "null").replace("-Infinity", "null")) is not None
    assert written.split("\n")[1] == "  " + json.dumps(values[0], ensure_ascii=False) + ","
