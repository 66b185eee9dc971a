"""Make the OpenAPI document say what the API really does: problem+json errors, 304/412/413/415/429/503 answers,
caching and rate-limit headers, and operation ids that read well in generated clients (getAiTraining, listRules).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.api.errors import PROBLEM_JSON
from app.api.schemas.examples import load_examples
from app.store.registry import KINDS

PROBLEM_REF = {"$ref": "#/components/schemas/ProblemOut"}
CATALOG_ROUTES = frozenset(kind.route for kind in KINDS.values())
# Route function names that do not already read as <verb><Resource>.
OPERATION_IDS = {
    "ai_training": "getAiTraining",
    "checks": "checkAiTraining",
    "healthz": "getHealth",
    "readyz": "getReadiness",
}
_VERBS = {"get", "list", "create", "replace", "patch", "delete"}
PLURAL = {  # list_categories -> listCategories, whatever the route function's own spelling
    "category": "Categories",
    "jurisdiction": "Jurisdictions",
    "platform": "Platforms",
    "rule": "Rules",
    "deadline": "Deadlines",
    "source": "Sources",
    "change": "Changes",
}


def _header(description: str, kind: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": kind}}


RATE_HEADERS = {
    "Retry-After": _header("Seconds to wait before retrying.", "integer"),
    "RateLimit-Limit": _header("Requests (or checks) allowed per window for this client and route class.", "integer"),
    "RateLimit-Remaining": _header("Requests left in the window: 0.", "integer"),
    "RateLimit-Reset": _header("Seconds until the window resets.", "integer"),
    "RateLimit-Policy": _header('The limit and its window, such as "600;w=60".'),
}
STATUS_TEXT = {
    304: "Not modified: the ETag in If-None-Match is current; no body.",
    401: "No API key, or an unknown or revoked one.",
    403: "The API key lacks write scope.",
    404: "Not found.",
    409: "Conflict: the id is taken, or other records still refer to this one.",
    412: "Precondition failed: If-Match names a version the record is no longer at.",
    413: "The body is larger than the limit (or a batch has more than 1000 checks).",
    415: "The body is not sent as application/json (or application/merge-patch+json), unencoded.",
    422: "Invalid parameter or body; `param` names the first one at fault, `errors` lists each.",
    429: "Too many requests from this client for this route class; see Retry-After and RateLimit-*.",
    503: "The database is unreachable, read-only or not migrated; reads of decisions keep answering. Retry after "
    "Retry-After.",
}
# A write answering with its record: the 503 it gives when the record cannot be read back after the commit.
READ_BACK = (
    " Or, with no Retry-After and type `saved-not-read-back`: the change was saved (`dataset_revision`) but could "
    "not be read back to answer; GET the record instead of sending the write again."
)


def operation_id(route: APIRoute) -> str:
    """Return a camelCase operation id from a route's function name: list_rules -> listRules."""
    if route.name in OPERATION_IDS:
        return OPERATION_IDS[route.name]
    verb, _, noun = route.name.partition("_")
    if verb in _VERBS and noun:
        if verb == "list" and noun.removesuffix("s") in PLURAL:
            noun = PLURAL[noun.removesuffix("s")]
        elif verb == "list" and noun.endswith("ies") and noun[:-3] + "y" in PLURAL:
            noun = PLURAL[noun[:-3] + "y"]
        return verb + "".join(part.capitalize() for part in re.split(r"[_-]", noun))
    return re.sub(r"_(\w)", lambda m: m.group(1).upper(), route.name)


def _record_write(path: str, method: str) -> bool:
    """Return whether an operation answers with the catalog record it wrote (app/api/routes/crud.py)."""
    parts = path.split("/")  # "", "v1", the kind's route, and its key for PUT and PATCH
    if len(parts) < 3 or parts[1] != "v1" or parts[2] not in CATALOG_ROUTES:
        return False
    return (method == "post" and len(parts) == 3) or (method in ("put", "patch") and len(parts) == 4)


def _problem(status: int, headers: dict[str, Any] | None = None, description: str | None = None) -> dict[str, Any]:
    text = STATUS_TEXT.get(status) or description or "Error."
    response: dict[str, Any] = {"description": text, "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}}}
    if headers:
        response["headers"] = headers
    return response


WEBHOOK_PRECONDITION = (
    "Precondition failed: a subscription has no ETag, so If-Match holds only as `*`, and If-None-Match: * never "
    "does; nothing was done."
)


READ_PRECONDITION = (
    "Precondition failed: If-Match names none of this answer's ETags (either encoding's tag counts; an answer "
    "without an ETag holds only for `*`)."
)


def _no_controls(schema: dict[str, Any]) -> None:
    """Say in a free-text parameter's schema that control characters are refused (422), as they are."""
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string" and not {"pattern", "enum", "format"} & set(option):
            option["pattern"] = "^[^\\u0000-\\u001f\\u007f]*$"


def finish(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite every operation's responses to match the service's real answers."""
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            for parameter in op.get("parameters", []):
                _no_controls(parameter.get("schema", {}))
            responses = op.setdefault("responses", {})
            limited = path.startswith("/v1/")
            writes = method in ("post", "put", "patch", "delete") and path != "/v1/ai-training/checks"
            for code in list(responses):
                if code[0] in "45":
                    responses[code] = _problem(int(code), description=responses[code].get("description"))
            if op.get("parameters") or "requestBody" in op:
                responses["422"] = _problem(422)
            if "requestBody" in op:
                responses["413"] = _problem(413)
                responses["415"] = _problem(415)
            if writes:
                responses["412"] = _problem(412)
                if method == "post" and "{webhook_id}" not in path:  # a create has no version to be conditional on
                    del responses["412"]
                elif path.startswith("/v1/webhooks"):
                    responses["412"] = {**_problem(412), "description": WEBHOOK_PRECONDITION}
            if method == "get":
                # api/preconditions.py: any read with an If-Match that names none of its answer's tags.
                responses["412"] = {**_problem(412), "description": READ_PRECONDITION}
            if limited or path == "/readyz":
                responses["503"] = _problem(503, {"Retry-After": RATE_HEADERS["Retry-After"]})
            if _record_write(path, method):
                responses["503"]["description"] += READ_BACK
            if limited:
                responses["429"] = _problem(429, RATE_HEADERS)
            ok = responses.get("200")
            if method == "get" and ok is not None and limited:
                headers = ok.setdefault("headers", {})
                ref = ok.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
                if ref.endswith("Page"):
                    headers["Link"] = _header('<next page>; rel="next", while there are more items.')
                if path.startswith("/v1/webhooks"):
                    # A key's own subscriptions: never cached, no ETag to revalidate with.
                    headers["Cache-Control"] = _header("no-store: a key's own data is never cached.")
                else:
                    headers["ETag"] = _header("The version of this answer; send it in If-None-Match to get 304.")
                    headers["Cache-Control"] = _header("public, max-age=N: how long a cache may reuse the answer.")
                    responses["304"] = {"description": STATUS_TEXT[304], "headers": {"ETag": headers["ETag"]}}
            op["responses"] = dict(sorted(responses.items()))
    add_examples(schema, load_examples())
    components = schema.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in components and f'"#/components/schemas/{unused}"' not in json.dumps(schema.get("paths")):
            del components[unused]
    return schema


def add_examples(schema: dict[str, Any], examples: dict[str, Any]) -> None:
    """Show each operation's recorded answer beside its success status and media type, and the request body that
    example sent as the body's example (so "Try it out" sends it)."""
    recorded: dict[str, list[dict[str, Any]]] = examples.get("operations", {})
    day = examples.get("recorded_as_of")
    for operations in schema.get("paths", {}).values():
        for op in operations.values():
            for example in recorded.get(op.get("operationId", ""), []):
                request = example["request"]
                response = op.get("responses", {}).get(str(example["status"]), {})
                media = response.get("content", {}).get(example["media_type"] or "")
                if media is not None:
                    if isinstance(example["value"], str):  # a text body (SVG, Atom, iCalendar, YAML)
                        media.setdefault("schema", {"type": "string"})
                    media.pop("example", None)
                    text = (
                        f"What the app answers to `{request['method']} {request['url']}` on the bundled dataset as of "
                        f"{day}, recorded by `make openapi`."
                    )
                    if example.get("abbreviated"):
                        text += f" Shortened to {example['abbreviated']}."
                    media["examples"] = {
                        "recorded": {
                            "summary": f"{request['method']} {request['url']}"[:120],
                            "description": text,
                            "value": example["value"],
                        }
                    }
                if "body" in request and "requestBody" in op:
                    for body in op["requestBody"].get("content", {}).values():
                        body.pop("examples", None)
                        body["example"] = request["body"]


def install_spec(app: FastAPI) -> None:
    """Serve the finished document at /openapi.json (built once)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
