"""How an MCP credential's written value is judged (mcp_values)."""

from __future__ import annotations

import pytest

from scanner.scanners import mcp_values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Server=localhost;Database=Sales;Trusted_Connection=True;", True),
        ("Data Source=db;Initial Catalog=app;Integrated Security=SSPI", True),
        ("Server=db;Database=app;Trusted_Connection=yes;Password=Welcome2024!", False),
        ("Server=db;Database=app;User Id=app;Password=Welcome2024!;", False),
        ("Server=db;Database=app;Trusted_Connection=False;", False),
        ("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9v;", False),
    ],
)
def test_integrated_sign_in_is_no_credential(value: str, expected: bool) -> None:
    assert mcp_values.integrated(value) is expected
