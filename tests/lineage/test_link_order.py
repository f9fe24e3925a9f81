"""Links come out in one order whatever the process: two links between the same identities
with the same relation (a grant that names its identity in `object_id` and in `tenant_id`,
as terraform-azurerm-aks's examples do) are ordered by their evidence, not by a set's hash
order, which changes with PYTHONHASHSEED from one run to the next."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import GitRepo

KMS = """resource "azurerm_user_assigned_identity" "test" {
  name = "uai"
}

resource "azurerm_key_vault_access_policy" "kms" {
  key_vault_id = "vault"
  object_id    = azurerm_user_assigned_identity.test.principal_id
  tenant_id    = azurerm_user_assigned_identity.test.tenant_id
}
"""


def test_links_between_the_same_identities_keep_one_order(git_repo: GitRepo) -> None:
    git_repo.write("kms.tf", KMS)
    git_repo.commit("kms")
    seen = []
    for seed in ("1", "2", "3", "4", "5", "6"):
        done = subprocess.run(
            [sys.executable, "-m", "scanner", "scan", "--repo", str(git_repo.root), "--no-cache",
             "--no-attribution", "--format", "json", "--fail-on", "none"],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        seen.append([link["evidence"] for link in json.loads(done.stdout)["links"]])
    names = "azurerm_key_vault_access_policy.kms names azurerm_user_assigned_identity.test in"
    assert seen == [[f"{names} `object_id`", f"{names} `tenant_id`"]] * 6
