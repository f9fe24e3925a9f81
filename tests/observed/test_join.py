"""The join, pure: declared names against exported ones, each pair with how it was made."""

from __future__ import annotations

from scanner.observed.declared import Declared
from scanner.observed.join import join
from scanner.observed.model import Observed, listed


def declared(kind, observed_kind, name, identity, **where) -> Declared:
    """A declaration; `where`: provider (aws), scope, repository (acme/infra), environment."""
    where = {"provider": "aws", "scope": "", "repository": "acme/infra", **where}
    return Declared(identity=identity, kind=kind, observed_kind=observed_kind, name=name,
                    attribute="name", sample=False, **where)  # fmt: skip


def seen(kind, name, **more) -> Observed:
    """What an export lists; `more`: parent, scope (an AWS account), provider (aws), live..."""
    more = {"provider": "aws", "scope": "111122223333", **more}
    return Observed(kind=kind, name=name, key=f"{more['scope']}/{name}", source="export", **more)


def states(found):
    return [
        (
            j.state,
            j.declared.identity if j.declared else None,
            j.observed.name if j.observed else None,
        )
        for j in found
    ]


# The credential report lists every user and key of its account.
AWS = [listed("aws", kind, "export") for kind in ("aws_iam_user", "aws_access_key")]
USER = declared("aws_iam_user", "aws_iam_user", "ci", "iam.tf#aws_iam_user.ci")
KEY = declared("aws_iam_access_key", "aws_access_key", "ci", "iam.tf#aws_iam_access_key.a")
KEY2 = declared("aws_iam_access_key", "aws_access_key", "ci", "iam.tf#aws_iam_access_key.b")


def test_a_user_and_its_keys_pair_up_and_the_extra_declared_key_is_not_live() -> None:
    found = join([USER, KEY, KEY2], [seen("aws_iam_user", "CI"),
                                     seen("aws_access_key", "ci#access_key_1", parent="ci"),
                                     *AWS], frozenset())  # fmt: skip
    assert states(found) == [
        ("live", "iam.tf#aws_iam_user.ci", "CI"),  # IAM user names ignore case
        ("live", "iam.tf#aws_iam_access_key.a", "ci#access_key_1"),
        ("not_live", "iam.tf#aws_iam_access_key.b", None),
    ]
    assert found[1].how == ("name 'ci' written in iam.tf = aws_access_key ci#access_key_1 in "
                            "export 111122223333 (of ci)")  # fmt: skip
    assert found[2].how == "name 'ci' written in iam.tf: no live aws_access_key ci in export"


def test_what_nobody_declares_is_undeclared_and_a_principal_speaks_for_its_keys() -> None:
    found = join([USER], [seen("aws_iam_user", "ci"), seen("aws_iam_user", "by-hand"),
                          seen("aws_access_key", "by-hand#access_key_1", parent="by-hand"),
                          seen("aws_access_key", "ci#access_key_2", parent="ci"),
                          seen("aws_iam_user", "gone", live=False)], frozenset())  # fmt: skip
    assert states(found) == [("live", "iam.tf#aws_iam_user.ci", "ci"),
                             ("undeclared", None, "by-hand"),
                             ("undeclared", None, "ci#access_key_2")]  # fmt: skip
    assert found[2].how.endswith("a credential of the declared ci that no repository declares")


def test_no_export_of_a_provider_says_nothing_and_a_project_must_match() -> None:
    sa = declared("google_service_account", "gcp_service_account", "etl", "sa.tf#x",
                  provider="gcp", scope="data-prod")  # fmt: skip
    assert join([sa], [seen("aws_iam_user", "etl")], frozenset()) == \
        [join([], [seen("aws_iam_user", "etl")], frozenset())[0]]  # fmt: skip
    other = seen("gcp_service_account", "etl", provider="gcp", scope="data-dev")
    assert states(join([sa], [other], frozenset())) == [("undeclared", None, "etl")]
    every = listed("gcp", "gcp_service_account", "export")
    found = join([sa], [other, every], frozenset())
    assert states(found) == [("not_live", "sa.tf#x", None), ("undeclared", None, "etl")]


def test_a_keys_list_of_one_account_says_nothing_of_another() -> None:
    key = declared("google_service_account_key", "gcp_service_account_key", "etl", "sa.tf#k",
                   provider="gcp")  # fmt: skip
    of_other = listed("gcp", "gcp_service_account_key", "keys.json", parent="loader")
    assert join([key], [of_other], frozenset()) == []
    of_etl = listed("gcp", "gcp_service_account_key", "keys.json", parent="etl")
    assert states(join([key], [of_etl], frozenset())) == [("not_live", "sa.tf#k", None)]


def ref(name: str, repository: str = "acme/app", environment: str = "") -> Declared:
    return declared("workflow_secret", "github_secret", name, f"ci.yml#secrets/{name}",
                    provider="github", scope=repository, repository=repository,
                    environment=environment)  # fmt: skip


def stored(name: str, scope: str, **more: object) -> Observed:
    return seen("github_secret", name, scope=scope, provider="github", **more)


COVER = seen("github_repository", "acme/app", scope="acme/app", provider="github")
ORG = seen("github_repository", "org:acme", scope="org:acme", provider="github")


def test_github_references_are_satisfied_by_repository_environment_or_organisation() -> None:
    found = join(
        [ref("DEPLOY"), ref("DB", environment="prod"), ref("NPM"), ref("SONAR"), ref("MISSING"),
         ref("ELSEWHERE", repository="acme/other")],
        [COVER, ORG, stored("DEPLOY", "acme/app"), stored("DB", "acme/app:env:prod"),
         stored("DB", "acme/app"), stored("NPM", "org:acme"),
         stored("SONAR", "org:acme", details=(("visibility", "selected"),
                                              ("repositories", "acme/web"))),
         stored("OLD", "acme/app"), stored("UNSCANNED", "acme/web")],
        frozenset({"acme/app"}),
    )  # fmt: skip
    assert [(j.state, j.declared and j.declared.name, j.observed and j.observed.scope)
            for j in found] == [
        ("live", "DEPLOY", "acme/app"),
        ("live", "DB", "acme/app:env:prod"),  # the job's environment first
        ("live", "NPM", "org:acme"),
        ("unsatisfied", "SONAR", None),  # the organisation shares it with acme/web only
        ("unsatisfied", "MISSING", None),
        ("unreferenced", None, "acme/app"),  # OLD
    ]  # fmt: skip
    assert found[4].how == ("name 'MISSING' written in ci.yml: stored in neither acme/app, its "
                            "environments nor its organisation")  # fmt: skip
    # SONAR is unreferenced only if acme/web, the one repository it is shared with, was scanned
    assert found[5].how == ("github_secret OLD in export acme/app: no workflow of acme/app "
                            "reads it")  # fmt: skip


def test_activity_is_folded_into_what_it_names_and_end_dates_end_life() -> None:
    import datetime

    from scanner.observed.activity import expire, fold

    key = seen("entra_password", "k1", parent="app", scope="", provider="entra")
    used = seen("entra_activity", "k1", scope="", provider="entra", last_used="2026-11-25")
    old = seen("entra_password", "k2", parent="app", scope="", provider="entra",
               expires="2025-01-01")  # fmt: skip
    folded = fold([key, used, old])
    assert [(o.name, o.last_used, o.tracks_use) for o in folded] == [
        ("k1", "2026-11-25", True),
        ("k2", None, False),
    ]
    assert [o.live for o in expire(folded, datetime.date(2026, 12, 1))] == [True, False]


def test_without_the_organisation_secrets_no_reference_is_called_unsatisfied() -> None:
    assert join([ref("NPM")], [COVER], frozenset({"acme/app"})) == []


def test_an_entra_application_and_its_secret_join_by_display_name() -> None:
    import datetime
    from pathlib import Path

    from scanner.observed import parse
    from scanner.observed.activity import expire

    path = Path(__file__).parent / "entra" / "applications.json"
    _, found = parse("apps.json", path.read_text())
    app = declared("azuread_application", "entra_application", "payments-api", "app.tf#a",
                   provider="entra")  # fmt: skip
    secrets = [declared("azuread_application_password", "entra_password", "payments-api",
                        f"app.tf#p{n}", provider="entra") for n in (1, 2)]  # fmt: skip
    joined = join([app, *secrets], expire(found, datetime.date(2026, 12, 1)), frozenset())
    assert [(j.state, j.declared and j.declared.identity, j.observed and j.observed.name)
            for j in joined] == [
        ("live", "app.tf#a", "payments-api"),
        ("live", "app.tf#p1", "a3b1c9d2-0000-4000-8000-000000000001"),
        # the other secret ended in 2025 and the certificate in June: neither is live
        ("not_live", "app.tf#p2", None),
    ]  # fmt: skip
    assert joined[2].how == ("name 'payments-api' written in app.tf: no live entra_password "
                             "payments-api in apps.json")  # fmt: skip
