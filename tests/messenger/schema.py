"""Validation against MAX's published OpenAPI schema (max-messenger-bot/max-bot-api-schemas,
``schema_2026_07_01.json``, public domain, copied here unchanged).

OpenAPI 3.0 schemas are not quite JSON Schema: ``nullable`` becomes ``anyOf [..., null]``, the
``discriminator`` (a hint for code generators) and a stray boolean ``required`` are dropped; the
rest is validated as JSON Schema 2020-12 with the components as ``$ref`` targets.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("max_schema_2026_07_01.json")


def _convert(node):
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            converted[key] = {name: _convert(sub) for name, sub in value.items()}
        elif key in ("discriminator", "example", "x-tagGroups"):
            continue
        elif key == "required" and isinstance(value, bool):
            continue
        else:
            converted[key] = _convert(value)
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def _document() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _components() -> dict:
    return _convert(_document()["components"])


def validate(name: str, instance) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``instance`` is a valid ``name`` object."""
    Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": _components()}
    ).validate(instance)


def validate_update(update: dict) -> None:
    """An ``Update`` validated as the subtype its ``update_type`` names (the discriminator)."""
    mapping = _document()["components"]["schemas"]["Update"]["discriminator"]["mapping"]
    validate(mapping[update["update_type"]]["$ref"].rsplit("/", 1)[1], update)
