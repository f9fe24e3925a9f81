"""`nhi demo`: build a small sample organisation, scan it, and show who is accountable.

Two repositories with several authors over time: a bot that edits a line, a whitespace-only
reformat, a file renamed, a change not committed yet, CODEOWNERS and a waiver, and a key
handed to a workflow through a GitHub Actions secret (lineage). Authors and dates are pinned,
so the history (and the output) is the same on every machine. Then the organisation view: a
roster in which Bob has left and Dana leaves soon, and what they leave behind routed to their
manager by `nhi aggregate`. A third repository holds a role on the customer-data cluster and
its copy for a second region, for the inventory's questions (#25). The lineage map of the
whole organisation is written beside the repositories.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path

from scanner import aggregate, git, pipeline, policy
from scanner.aggregate.output import render_text
from scanner.lineage import view as lineage_view
from scanner.model import Report
from scanner.reporters import json as json_report

ALICE = ("Alice Archer", "alice@acme.example")
BOB = ("Bob Baker", "bob@acme.example")
CAROL = ("Carol Chen", "carol@acme.example")
DANA = ("Dana Diaz", "dana@acme.example")
RENOVATE = ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")
TODAY = datetime.date(2026, 11, 1)  # waivers are judged as of a fixed day: the demo never ages

USER = 'resource "aws_iam_user" "ci_deployer" {\n  name = "ci-deployer"\n}\n'
KEY = 'resource "aws_iam_access_key" "ci_deployer" {\n  user = aws_iam_user.ci_deployer.name\n}\n'
POLICY = (
    'resource "aws_iam_user_policy_attachment" "ci_deployer" {\n'
    "  user       = aws_iam_user.ci_deployer.name\n"
    '  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"\n}\n'
)
# The IdP export the organisation view reads (the plain CSV roster): Bob has left, Dana's
# contract ends in 19 days.
ROSTER = """\
email,status,manager,github_login,name,aliases,leave_date
carol@acme.example,active,,carolc,Carol Chen,,
bob@acme.example,departed,carol@acme.example,bobb,Bob Baker,,2026-10-09
alice@acme.example,active,bob@acme.example,alice-a,Alice Archer,,
dana@acme.example,active,carol@acme.example,dana-d,Dana Diaz,,2026-11-20
"""
DEFAULT_OWNER = "security@acme.example"  # decides when nobody else can
TEAMS = '{"@acme/payments-platform": ["alice-a", "dana-d"]}\n'
SA = (
    'resource "google_service_account" "etl" {\n  account_id = "etl"\n}\n\n'
    'resource "google_service_account_key" "etl" {\n'
    "  service_account_id = google_service_account.etl.name\n}\n"
)
HANDOVER = (
    'resource "github_actions_secret" "etl_key" {\n'
    '  repository      = "data-pipeline"\n'
    '  secret_name     = "ETL_SA_KEY"\n'
    "  plaintext_value = google_service_account_key.etl.private_key\n}\n"
)
WORKFLOW = """on: push
jobs:
  load:
    runs-on: ubuntu-latest
    steps:
      - run: ./load.sh
        env:
          GOOGLE_CREDENTIALS: ${{ secrets.ETL_SA_KEY }}
"""
MAP = "nhi-map.html"
# A role the ETL uses to reach the customer-data cluster (#25), and a copy made later for a
# second region: what `nhi inventory --reach rds` finds, and NHI105 tells their owners.
RDS_ROLE = """resource "aws_iam_role" "{name}" {{
  name               = "{name}"
  assume_role_policy = "{{}}"
  tags               = {{ environment = "production" }}
}}

resource "aws_iam_role_policy" "{name}" {{
  role = aws_iam_role.{name}.id
  policy = jsonencode({{
    Statement = [{{ Effect = "Allow", Action = "rds-db:connect",
      Resource = "arn:aws:rds-db:{region}:123456789012:dbuser:cluster-customer-data/etl" }}]
  }})
}}
"""


def commit(repo: Path, who: tuple[str, str], date: str, message: str) -> None:
    name, email = who
    stamp = f"{date}T09:00:00Z"
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }
    git.run(repo, "add", "-A", env=env)
    git.run(repo, "commit", "-q", "--no-gpg-sign", "-m", message, env=env)


def write(repo: Path, path: str, text: str) -> None:
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def new_repo(folder: Path, name: str) -> Path:
    repo = folder / name
    repo.mkdir(parents=True)
    git.run(repo, "init", "-q", "-b", "main")
    git.run(repo, "config", "user.name", DANA[0])
    git.run(repo, "config", "user.email", DANA[1])
    git.run(repo, "config", "remote.origin.url", f"https://github.com/acme/{name}.git")
    return repo


def build(folder: Path) -> list[Path]:
    """The sample organisation's repositories, history included."""
    payments = new_repo(folder, "payments-infra")
    write(payments, "iam.tf", USER + "\n" + KEY)
    commit(payments, ALICE, "2025-11-03", "Add the CI deployer and its access key")
    reformatted = KEY.replace(
        'resource "aws_iam_access_key" "ci_deployer" {',
        'resource  "aws_iam_access_key"  "ci_deployer"  {',
    )
    write(payments, "iam.tf", USER + "\n" + reformatted + "\n" + POLICY)
    commit(payments, BOB, "2025-12-01", "Reformat, and let the deployer push images")
    renamed = USER.replace("{\n", "{ # renamed by automation\n", 1).replace(
        '"ci-deployer"', '"ci-deployer-v2"'
    )
    write(payments, "iam.tf", renamed + "\n" + reformatted + "\n" + POLICY)
    commit(payments, RENOVATE, "2026-01-15", "chore: rename the deployer")
    git.run(payments, "mv", "iam.tf", "deployer.tf")
    write(payments, "CODEOWNERS", "/deployer.tf @acme/payments-platform\n")
    commit(payments, CAROL, "2026-02-02", "Move the deployer to its own file; add owners")
    write(
        payments,
        "deployer.tf",
        (payments / "deployer.tf").read_text()
        + '\n# nhi:ignore[NHI002] owner=@carol expires=2027-06-30 reason="OIDC in Q2"\n'
        + KEY.replace("ci_deployer", "ci_deployer_2"),
    )
    data = new_repo(folder, "data-pipeline")
    write(data, "etl/service_accounts.tf", SA)
    commit(data, BOB, "2025-09-10", "ETL service account and key")
    write(data, "etl/service_accounts.tf", SA + "\n" + HANDOVER)
    write(data, ".github/workflows/load.yml", WORKFLOW)
    commit(data, CAROL, "2025-10-06", "Hand the ETL key to the load job")
    return [payments, data]


def build_reach(folder: Path) -> Path:
    """The customer-data repository: Dana's role on the cluster, and its copy (#25)."""
    data = new_repo(folder, "customer-data")
    write(data, "rds.tf", RDS_ROLE.format(name="etl_reader", region="us-east-1"))
    write(data, "CODEOWNERS", "* @acme/payments-platform\n")
    commit(data, DANA, "2026-03-10", "Let the ETL read the customer-data cluster")
    write(data, "rds.tf", (data / "rds.tf").read_text() + "\n"
          + RDS_ROLE.format(name="etl_reader_euw1", region="eu-west-1"))  # fmt: skip
    commit(data, DANA, "2026-10-20", "The same for the Irish replica")
    return data


def render(reports: list[Report], folder: Path) -> str:
    out = [f"nhi demo: a sample organisation in {folder}", ""]
    for report in reports:
        out.append(f"{report.repository.name}")
        for subject in report.subjects:
            identity, attribution = subject.identity, subject.attribution
            provisioner = attribution.provisioner
            who = (
                "unknown"
                if provisioner is None
                else (
                    f"{provisioner.email} ({provisioner.confidence}"
                    + (", not committed yet)" if provisioner.uncommitted else ")")
                )
            )
            owners = ", ".join(attribution.owners or identity.declared_owners) or "NOBODY"
            out.append(f"  {identity.path}:{identity.line} {identity.kind} {identity.name}")
            out.append(f"      provisioned by {who}; owned by {owners}")
        out.extend(
            f"  {finding.path}:{finding.line}: {finding.rule} [{finding.severity.label}]"
            f" {finding.status}: {finding.message}"
            for finding in report.findings
        )
        out.append("")
    return "\n".join(out) + "\n"


def organisation(reports: list[Report], folder: Path) -> str:
    """Both reports plus the roster through the aggregator: Bob's orphans go to Carol. The
    map is the aggregator's too, so it shows Bob as departed and Dana as leaving (#27)."""
    for report in reports:
        path = folder / "reports" / f"{report.repository.name.replace('/', '__')}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json_report.render(report), encoding="utf-8")
    (folder / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (folder / "teams.json").write_text(TEAMS, encoding="utf-8")
    options = aggregate.Options(reports=(folder / "reports",), rosters=(folder / "roster.csv",),
                                teams=folder / "teams.json", as_of=TODAY,
                                default_owner=DEFAULT_OWNER)  # fmt: skip
    result = aggregate.run(options).aggregate
    page = lineage_view.organisation_map(reports, result)
    (folder / MAP).write_text(page, encoding="utf-8")
    return (
        f"Bob Baker left on 2026-10-09 and Dana Diaz leaves on 2026-11-20 (roster: "
        f"{folder / 'roster.csv'}). Across the organisation:\n"
        + "".join(render_text(result))
        + "\n"
        + f"Try: nhi explain --repo {folder / 'payments-infra'} "
        "'deployer.tf#aws_iam_access_key.ci_deployer'\n"
        + f"Try: nhi aggregate {folder / 'reports'} --roster {folder / 'roster.csv'} "
        f"--teams {folder / 'teams.json'} --default-owner {DEFAULT_OWNER} "
        f"--db {folder / 'nhi-inventory.sqlite'}\n"
    )


def observed(folder: Path) -> str:
    """The step of #26: what AWS, GCP and GitHub export as live, joined with the declarations;
    a key never used, a key deleted in the console, a user made by hand, a secret nobody reads."""
    from scanner.observed import render, sample

    exports = sample.write(folder / "exports")
    options = aggregate.Options(reports=(folder / "reports",), rosters=(folder / "roster.csv",),
                                teams=folder / "teams.json", as_of=TODAY,
                                default_owner=DEFAULT_OWNER, observed=exports)  # fmt: skip
    seen = aggregate.run(options).aggregate.observed
    listed = " ".join(f"--observed {path}" for path in exports)
    return (
        "\nWhat the clouds and GitHub say is live (their exports), against what is declared:\n"
        + "".join(render.text(seen) if seen else ())
        + f"Try: nhi aggregate {folder / 'reports'} --roster {folder / 'roster.csv'} {listed}\n"
    )


def run(folder: Path | None = None) -> str:
    folder = folder or Path(tempfile.mkdtemp(prefix="nhi-demo-"))
    options = pipeline.Options(policies=policy.builtin(), today=TODAY)
    repositories = [*build(folder), build_reach(folder)]
    reports = [pipeline.scan(repo, options=options) for repo in repositories]
    return (
        render(reports, folder)
        + organisation(reports, folder)
        + observed(folder)
        + f"Map of who owns what, and who uses it: {folder / MAP}\n"
    )
