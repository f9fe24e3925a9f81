"""The map's shipped parts: the vendored graph library is the pinned one (manifest.json, written
by tools/update_map_library.py), licensed, safe to inline; and the generated organisation the
browser tests use has the shape the real map data has."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from scanner import demo
from scanner.lineage import html
from tests.lineage import synthetic

VENDOR = Path(html.__file__).parent / "vendor"


def test_the_vendored_library_is_the_pinned_one() -> None:
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    [entry] = manifest["packages"]
    assert (entry["name"], entry["version"], entry["license"]) == ("cytoscape", "3.35.0", "MIT")
    assert entry["integrity"].startswith("sha512-")
    for name, digest in entry["sha256"].items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    assert "Permission is hereby granted" in (VENDOR / "cytoscape.LICENSE").read_text()
    assert sorted(p.name for p in VENDOR.iterdir()) == [
        "cytoscape.LICENSE",
        "cytoscape.min.js",
        "manifest.json",
    ]


def test_every_inlined_script_is_safe_inside_a_script_element() -> None:
    for name in html.SCRIPTS:
        text = html.asset(name)
        assert not re.search(r"</script|<!--|<script", text, re.IGNORECASE), name


def test_the_generated_organisation_has_the_real_shape(tmp_path: Path) -> None:
    demo.run(tmp_path)
    page = (tmp_path / demo.MAP).read_text()
    real = json.loads(re.search(r'id="nhi-data">(.*?)</script>', page, re.S)[1])
    made = synthetic.organisation(10)
    assert set(made) == set(real) - {"initial"}
    key = "acme/payments-infra:deployer.tf#aws_iam_access_key.ci_deployer"
    [identity] = [n for n in real["nodes"] if n["key"] == key]
    # Identity 0 is an orphan (who decides) in an environment, with reach; the demo's key has
    # none of these, which map_data leaves out when empty.
    optional = {"decides", "why", "env", "reach", "reach_text"}
    assert set(identity) <= set(made["nodes"][2]) <= set(identity) | optional
    people = {field for n in real["nodes"] if n["layer"] == 0 for field in n}
    many = synthetic.organisation(200)["nodes"]
    assert {field for n in many if n["layer"] == 0 for field in n} == people
