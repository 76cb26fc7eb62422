"""Schema post-processing: document the error answers every API operation can give.

drf-spectacular documents the success answer of each view and only the errors a view declares
with ``extend_schema``. The API contract (shared/API.md) gives every endpoint the same error
answers, though: 401 without credentials, 403 when the user may see but not act, 404 outside the
user's scope or past the last page, 400 with DRF's ``{"field": ["message", …]}`` on bad input
(query filters included), 415 for a request body in a media type DRF does not parse. The
fuzzing test (tests/test_api_fuzz.py) holds the API to its schema, so the schema has to say so.
An error an operation already documents is left as it is.
"""

from __future__ import annotations

ERROR_COMPONENT = "ErrorResponse"

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'DRF error body: {"detail": "…"} or {"<field>": ["message", …], "non_field_errors": […]}.'
    ),
    "additionalProperties": True,
}

DESCRIPTIONS = {
    "400": 'Bad input: DRF\'s {"field": ["message", …]}; nothing is written.',
    "401": "No credentials, or invalid ones.",
    "403": "Allowed to see the object but not to do this.",
    "404": "Object outside the user's scope, unknown, or a page past the last one.",
    "415": "The request body's Content-Type is not JSON, form or multipart.",
}

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def _error_codes(operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    in_path = any(p.get("in") == "path" for p in parameters)
    paged = any(p.get("in") == "query" and p.get("name") == "page" for p in parameters)
    filters = any(p.get("in") == "query" and p.get("name") != "page" for p in parameters)
    codes = ["401", "403"]
    if "requestBody" in operation or filters:
        codes.append("400")
    if in_path or paged:
        codes.append("404")
    if "requestBody" in operation:
        codes.append("415")
    return codes


def document_error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry:
    add the shared error answers to each operation."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(ERROR_COMPONENT, ERROR_SCHEMA)
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _error_codes(operation):
                responses.setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": ref}},
                        "description": DESCRIPTIONS[code],
                    },
                )
    return result
