"""What copies of one principal share (#25): a name with region, environment and index
suffixes taken off, and reach with regions and account ids left out. Read by the aggregator's
duplicate detection (`aggregate.duplicates`) through the "shape" and "region" facets.
"""

from __future__ import annotations

import hashlib
import json
import re

from scanner.model import Category, Identity, Reach
from scanner.reach.environment import WORDS

_REGION = re.compile(
    r"\b(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-(?:gov-)?(?:east|west|north|south|central|northeast|"
    r"southeast|northwest|southwest)-\d"  # AWS
    r"|(?:us|europe|asia|australia|northamerica|southamerica|me|africa)-(?:east|west|north|"
    r"south|central|northeast|southeast|northwest|southwest)\d+"  # GCP
    r"|(?:east|west|north|south|central|westcentral|northcentral|southcentral)(?:us|europe|"
    r"asia)\d?|uk(?:south|west)"  # Azure
    r"|(?:use|usw|euw|euc|eun|eus|aps|apse|apne|cac|sae|mec|afs)\d)\b"  # short codes
)
_SHORT = {"use": "us-east", "usw": "us-west", "euw": "eu-west", "euc": "eu-central",
          "eun": "eu-north", "eus": "eu-south", "aps": "ap-south", "apse": "ap-southeast",
          "apne": "ap-northeast", "cac": "ca-central", "sae": "sa-east", "mec": "me-central",
          "afs": "af-south"}  # fmt: skip
_ACCOUNT = re.compile(r"(?<=:)\d{12}(?=:)")


def name_key(name: str) -> str:
    """A name with regions, environments and indexes taken off: `Settlement-Lambda-EUW1`,
    `settlement_lambda_prod_2` and `settlement_lambda` are all `settlement_lambda`."""
    text = _REGION.sub(" ", "-".join(re.findall(r"[a-z0-9]+", name.lower())))
    words = [w for w in re.findall(r"[a-z0-9]+", text) if w not in WORDS and not w.isdigit()]
    return "_".join(words)


def region(*texts: str) -> str | None:
    """The first region written in any of `texts` (a short code spelled out: euw1 is
    eu-west-1)."""
    for text in texts:
        if found := _REGION.search("-".join(re.findall(r"[a-z0-9]+", text.lower()))):
            code = found.group(0)
            short = re.fullmatch(r"([a-z]+)(\d)", code)
            return f"{_SHORT[short[1]]}-{short[2]}" if short and short[1] in _SHORT else code
    return None


def shape(identity: Identity, reach: Reach | None) -> str | None:
    """The fingerprint copies share, or None for what is never compared (no principal, or a
    principal that reaches nothing)."""
    if identity.category is not Category.IDENTITY or reach is None:
        return None
    resources = sorted({_ACCOUNT.sub("<account>", _REGION.sub("<region>", r))
                        for r in reach.resources})  # fmt: skip
    # A module instance is named as its definition is (`this`): instances and the definition
    # compare by that name, whatever the instance is called.
    text = json.dumps([identity.kind, name_key(identity.name), reach.admin,
                       sorted(reach.services), sorted(reach.actions), sorted(reach.managed),
                       resources])  # fmt: skip
    return hashlib.sha256(text.encode()).hexdigest()[:16]
