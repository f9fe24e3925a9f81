"""The lineage map in a real browser: headless Chromium opens the demo organisation's map,
the expected people and identities are drawn, and the person filter (from the URL fragment)
hides and shows them. A screenshot is kept in tests/artifacts/ (ignored by git; CI uploads it).

Chromium is installed by CI (.ci/run); this is skipped only when no chromium binary exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scanner import demo

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parents[1] / "artifacts"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"
)

PEOPLE = {"p:@acme/payments-platform", "p:alice@acme.example", "p:bob@acme.example",
          "p:carol@acme.example", "p:dana@acme.example"}  # fmt: skip
PAYMENTS = {
    "acme/payments-infra:deployer.tf#aws_iam_user.ci_deployer",
    "acme/payments-infra:deployer.tf#aws_iam_access_key.ci_deployer",
    "acme/payments-infra:deployer.tf#aws_iam_access_key.ci_deployer_2",
    "acme/payments-infra:deployer.tf#aws_iam_user_policy_attachment.ci_deployer",
}
DATA = {
    "acme/data-pipeline:etl/service_accounts.tf#google_service_account.etl",
    "acme/data-pipeline:etl/service_accounts.tf#google_service_account_key.etl",
    "acme/data-pipeline:etl/service_accounts.tf#github_actions_secret.etl_key",
    "acme/data-pipeline:.github/workflows/load.yml#secrets/ETL_SA_KEY",
    "acme/data-pipeline:c:.github/workflows/load.yml#load",
}
CUSTOMER = {  # a role on the customer-data cluster and its copy (#25)
    "acme/customer-data:rds.tf#aws_iam_role.etl_reader",
    "acme/customer-data:rds.tf#aws_iam_role.etl_reader_euw1",
    "acme/customer-data:rds.tf#aws_iam_role_policy.etl_reader",
    "acme/customer-data:rds.tf#aws_iam_role_policy.etl_reader_euw1",
}


def chromium(tmp_path: Path, *args: str) -> str:
    assert CHROMIUM is not None
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return result.stdout


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("org")
    printed = demo.run(folder)
    assert printed.endswith(f"Map of who owns what, and who uses it: {folder / demo.MAP}\n")
    return folder / demo.MAP


def drawn(dom: str) -> set[str]:
    return set(re.findall(r'<g class="node[^"]*" data-key="([^"]+)"', dom.replace("&amp;", "&")))


def test_the_map_draws_every_person_and_identity(page: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert drawn(dom) == PEOPLE | PAYMENTS | DATA | CUSTOMER
    assert "13 of 13 shown" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "lineage-map.png"
    chromium(tmp_path, "--hide-scrollbars", "--window-size=1400,330", f"--screenshot={shot}",
             page.as_uri())  # fmt: skip
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_the_person_filter_hides_the_others_and_shows_theirs(page: Path, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", page.as_uri() + "#person=carol@acme.example")
    # Carol's secret and workflow, what they link to, and the consumer: nobody else's.
    assert drawn(dom) == {"p:carol@acme.example"} | DATA
    assert "5 of 13 shown" in dom
    dom = chromium(tmp_path, "--dump-dom", page.as_uri() + "#repo=acme/payments-infra")
    assert drawn(dom) == {"p:@acme/payments-platform", "p:alice@acme.example",
                          "p:bob@acme.example", "p:dana@acme.example"} | PAYMENTS  # fmt: skip
    dom = chromium(tmp_path, "--dump-dom", page.as_uri() + "#status=orphan")
    assert drawn(dom) == {"p:bob@acme.example", "p:carol@acme.example"} | DATA
