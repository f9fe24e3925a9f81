"""The service vocabulary `nhi inventory --reach` speaks, one per cloud, with aliases.

A reach label is a service as its cloud names it in permissions: an AWS IAM action prefix
(`s3`, `rds-db`), a GCP predefined role's service (`cloudsql` from `roles/cloudsql.admin`), an
Azure resource provider without `Microsoft.` (`storage`, `keyvault`), or for a credential handed
to an MCP server, the provider it is for (`github`, `stripe`). Two labels say more than one
service: `admin` (everything on everything) and `all` (every service but those a `-service`
label excludes: PowerUserAccess, roles/editor, Azure's Contributor).

A query names a service as people say it; `ALIASES` widens it to every label that is the same
service in permissions (`rds` is also `rds-db` and `rds-data`), and `GROUPS` names a family
across clouds (`database`, `storage`, `secrets`). Both tables are documented in the README.
"""

from __future__ import annotations

# One service, several permission prefixes (AWS splits data-plane and preview APIs off).
ALIASES: dict[str, tuple[str, ...]] = {
    # AWS
    "rds": ("rds", "rds-db", "rds-data"),
    "s3": ("s3", "s3-object-lambda", "s3express", "s3-outposts"),
    "dynamodb": ("dynamodb", "dax"),
    "ecr": ("ecr", "ecr-public"),
    "ec2": ("ec2", "ec2messages", "ec2-instance-connect"),
    "lambda": ("lambda",),
    "kms": ("kms",),
    "secretsmanager": ("secretsmanager",),
    "ssm": ("ssm", "ssmmessages"),
    "sso": ("sso", "sso-directory", "identitystore"),
    "iam": ("iam", "sts"),
    # GCP (the service of `roles/<service>.<role>`)
    "cloudsql": ("cloudsql",),
    "gcs": ("storage",),
    "bigquery": ("bigquery", "bigquerydatatransfer"),
    "gke": ("container",),
    # Azure (resource providers)
    "keyvault": ("keyvault",),
    "aks": ("containerservice",),
    "acr": ("containerregistry",),
    "cosmosdb": ("documentdb",),
}

# A family of services across clouds, for questions that do not care which cloud.
GROUPS: dict[str, tuple[str, ...]] = {
    "database": ("rds", "rds-db", "rds-data", "dynamodb", "dax", "redshift", "cloudsql",
                 "spanner", "sql", "documentdb", "datastore", "bigtable", "alloydb"),
    "storage": ("s3", "s3-object-lambda", "s3express", "s3-outposts", "storage", "glacier"),
    "secrets": ("secretsmanager", "secretmanager", "keyvault", "kms", "cloudkms", "ssm"),
}  # fmt: skip

# Labels that are not one service.
WHOLE = frozenset(["admin", "all"])


def expand(query: str) -> tuple[str, ...]:
    """Every label a `--reach SERVICE` query matches, lower-cased, the query itself first."""
    name = query.strip().lower()
    found = [name, *ALIASES.get(name, ()), *GROUPS.get(name, ())]
    for canonical, labels in ALIASES.items():  # `rds-db` is asked for as `rds` would be
        if name in labels:
            found += [canonical, *labels]
    return tuple(dict.fromkeys(found))
