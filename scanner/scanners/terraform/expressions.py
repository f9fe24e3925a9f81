"""Terraform expression helpers shared by the scanner and lineage (the one module lineage may
import from the Terraform scanner): which attributes hold values, and which block addresses an
expression names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Attributes that hold a credential's value when one is written into the configuration, in the
# order the scanner tries them for `secret_present`.
SECRET_VALUE_KEYS = ("plaintext_value", "value", "secret_string", "secret_data", "password",
                     "private_key", "api_key", "token", "client_secret", "secret")  # fmt: skip
# Every attribute whose literal is a value, not a setting: the above plus storage attributes.
VALUE_KEYS = frozenset([*SECRET_VALUE_KEYS, "encrypted_value", "secret_binary", "data",
                        "data_json", "binary_data", "insecure_value", "value_wo",
                        "secret_string_wo"])  # fmt: skip

_INTERPOLATION = re.compile(r"\$\{")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# A block address inside an expression: resource types always hold `_` (`var.x` does not).
_ADDRESS = re.compile(
    r"(?<![\w.])(data\.[a-z][a-z0-9]*_\w+\.[A-Za-z_][\w-]*|module\.[A-Za-z_][\w-]*"
    r"|[a-z][a-z0-9]*_\w+\.[A-Za-z_][\w-]*)"
)


def addresses(text: str) -> Iterator[str]:
    """Addresses named inside the `${...}` parts of a string (quoted text inside is skipped)."""
    for match in _INTERPOLATION.finditer(text):
        depth, end = 0, match.end()
        for end in range(match.end() - 1, len(text)):
            depth += {"{": 1, "}": -1}.get(text[end], 0)
            if depth == 0:
                break
        expression = _QUOTED.sub('""', text[match.end() : end])
        yield from _ADDRESS.findall(expression)
