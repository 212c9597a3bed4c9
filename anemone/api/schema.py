"""The OpenAPI schema: tagged per resource, with one documented error format. (The view that serves it,
cached, is in anemone.api.docs: drf_spectacular.views needs this module's AutoSchema as it loads.)"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

# The first segment of a path under /api/v1/ names its resource; these few say it differently.
TAG_ALIASES = {"users": "accounts", "cloud-restore": "cloud", "peers-invitation": "peers"}
_RESOURCE = re.compile(r"^/api/v\d+/([^/{]+)")


class AutoSchema(SpectacularAutoSchema):
    """Operations are tagged by resource ("files", "runs", "cloud"...) rather than all under "v1", so the
    docs group them the way the portal does. An app's new path gets its first segment as its tag."""

    def get_tags(self) -> list[str]:
        match = _RESOURCE.match(self.path)
        if match is None:
            return super().get_tags()
        segment = match[1]
        return [TAG_ALIASES.get(segment, segment)]


ERROR_SCHEMAS = {
    "Error": {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"],
              "description": "A refusal in words, translated to the person's language."},
    "ValidationErrors": {"type": "object", "additionalProperties": True,
                         "description": "Either {detail: message} or {field: [message, ...]} for each field "
                                        "that was refused."},
}
ERROR_RESPONSES = {
    "400": ("ValidationErrors", "The request was refused: a parameter or field is not valid."),
    "401": ("Error", "No valid token (Authorization: Token <token>)."),
    "403": ("Error", "This account may not do this (admins only, or someone else's object)."),
    "404": ("Error", "No such object, or not yours."),
    "429": ("Error", "Too many attempts: wait before trying again."),
}
# The usual meaning of the extra answers views document (409, 413, 502, 507), for those documented without words.
EXTRA_DESCRIPTIONS = {
    "409": "Refused for now: a run of this target is already queued or running (`run` is its id).",
    "413": "Over the caller's quota: nothing was stored.",
    "502": "The remote side (peer, drive, cloud) could not be read: the detail says what to do.",
    "507": "The server's disk is full: nothing was stored.",
}
METHODS = ("get", "post", "put", "patch", "delete")


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the error answers every API view can
    give (DRF's validation, authentication, permission and lookup errors, our throttle), in one shape.
    Views document their own extra answers with extend_schema (409: anemone.api.errors.ConflictSerializer;
    413, 502, 507: ErrorSerializer); those left without words get the usual ones (EXTRA_DESCRIPTIONS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_SCHEMAS.items():
        schemas.setdefault(name, schema)
    allow_empty_emails(schemas)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, (name, description) in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description})
                # A 400 may always carry field errors (any serializer), even where a view documents {detail}.
                if code == "400" or "content" not in responses[code]:
                    responses[code]["content"] = {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}
                responses[code]["description"] = responses[code].get("description") or description
            for code, description in EXTRA_DESCRIPTIONS.items():
                if code in responses and not responses[code].get("description"):
                    responses[code]["description"] = description
    return result


def allow_empty_emails(schemas: dict[str, Any]) -> None:
    """An account's e-mail may be empty (the first admin's is), so answers may carry "" where the schema
    said format: email. Response components only (requests still ask for an address or nothing)."""
    for name, component in schemas.items():
        if name.endswith("Request"):
            continue
        for field in component.get("properties", {}).values():
            if field.get("format") == "email":
                field.pop("format")
                field["anyOf"] = [{"format": "email"}, {"maxLength": 0}]
