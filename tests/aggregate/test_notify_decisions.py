"""`--open-issues` follows decisions (#24): a decided row is ticked off saying what was
decided, each decider is mentioned once per issue, and the issue closes when every row is
decided or resolved. PyGithub against the local GitHub server (tests/aggregate/server.py)."""

from __future__ import annotations

from pathlib import Path

from scanner.aggregate.notify import body, sync_all
from tests.aggregate.server import State
from tests.aggregate.test_cli_org import org, run
from tests.aggregate.test_github_org import client, logins, orphan, server

__all__ = ["org", "server"]  # the fixtures

BY = "Decided by"


def test_decided_rows_are_ticked_the_decider_is_mentioned_once_and_the_issue_closes(
    server: State,
) -> None:
    handle = client(server).get_repo
    a, b, c = (orphan("acme/api", n) for n in ("a", "b", "c"))
    sync_all(handle, [a, b, c], ["acme/api"], logins, dry_run=False)
    kept = {
        a.identity: ("kept by carol@acme.example on 2026-11-02", "carol@acme.example", BY),
        b.identity: ("revoked by carol@acme.example on 2026-11-02", "carol@acme.example", BY),
    }
    actions, _ = sync_all(handle, [c], ["acme/api"], logins, dry_run=False,
                          decided={"acme/api": kept})  # fmt: skip
    assert [x.describe() for x in actions] == ["update issue #1 in acme/api"]
    lines = server.issues["acme/api"][0]["body"].splitlines()[4:]
    assert [line.partition(" <!--")[0] for line in lines] == [
        "- [ ] aws\\_iam\\_access\\_key c at iam.tf:3 (NHI101): decide @carolc",
        "- [x] aws\\_iam\\_access\\_key a at iam.tf:3 (NHI101): decide @carolc (decided: kept by "
        "carol@&#8203;acme.example on 2026\\-11\\-02)",
        "- [x] aws\\_iam\\_access\\_key b at iam.tf:3 (NHI101): decide @carolc (decided: revoked "
        "by carol@&#8203;acme.example on 2026\\-11\\-02)",
        "",
        "Decided by @carolc.",
    ]
    # The same decisions again: nothing to change.
    actions, _ = sync_all(handle, [c], ["acme/api"], logins, dry_run=False,
                          decided={"acme/api": kept})  # fmt: skip
    assert [x.describe() for x in actions] == ["unchanged issue #1 in acme/api"]
    # The last row is handed over: every row is decided or resolved, the issue is closed.
    handed = {**kept, c.identity: ("handed over to dave@acme.example", "dave@acme.example",
                                   "Handed over to")}  # fmt: skip
    actions, _ = sync_all(handle, [], ["acme/api"], logins, dry_run=False,
                          decided={"acme/api": handed})  # fmt: skip
    issue = server.issues["acme/api"][0]
    assert ([x.describe() for x in actions], issue["state"]) == (
        ["close issue #1 in acme/api"], "closed")  # fmt: skip
    assert issue["body"].splitlines()[-2:] == [
        "Handed over to dave@&#8203;acme.example.", "Decided by @carolc."]  # fmt: skip
    assert [line[:5] for line in issue["body"].splitlines()[4:7]] == ["- [x]"] * 3


def test_a_decided_line_is_not_ticked_twice() -> None:
    a = orphan("acme/api", "a")
    decided = {a.identity: ("kept by carol@acme.example on 2026-11-02", "carol@acme.example", BY)}
    first = body([], logins, body([a], logins), decided)
    assert body([], logins, first, decided) == first
    assert first.count("(decided: ") == 1


def test_aggregate_open_issues_follows_a_decisions_file(org, capsys) -> None:
    state, tmp = org
    assert run(state, tmp, "--open-issues") == 1
    rows = [
        ("etl/service_accounts.tf#google_service_account.etl", "keep"),
        ("etl/service_accounts.tf#google_service_account_key.etl", "revoke"),
        ("etl/service_accounts.tf#github_actions_secret.etl_key", "revoke"),
        (".github/workflows/load.yml#secrets/ETL_SA_KEY", "revoke"),
    ]
    decisions = Path(tmp / "decisions.yaml")
    decisions.write_text("decisions:\n" + "".join(
        f"  - {{repository: acme/data-pipeline, identity: '{identity}', decision: {what}, "
        "decided_by: carol@acme.example, decided_on: 2026-11-01}\n"
        for identity, what in rows
    ))  # fmt: skip
    capsys.readouterr()
    assert run(state, tmp, "--open-issues", "--decisions", str(decisions)) == 1  # infra's
    assert capsys.readouterr().err.splitlines()[-2:] == [
        "nhi: close issue #1 in acme/data-pipeline",
        "nhi: unchanged issue #1 in acme/payments-infra",
    ]
    issue = state.issues["acme/data-pipeline"][0]
    assert issue["state"] == "closed"
    lines = issue["body"].splitlines()[4:]
    assert [line.partition(" (decided: ")[2].partition(" <!--")[0] for line in lines] == [
        "revoked by carol@&#8203;acme.example on 2026\\-11\\-01)",
        "kept by carol@&#8203;acme.example on 2026\\-11\\-01)",
        "revoked by carol@&#8203;acme.example on 2026\\-11\\-01)",
        "revoked by carol@&#8203;acme.example on 2026\\-11\\-01)",
        "",
        "",
    ]
    assert lines[-1] == "Decided by @carolc."
