"""GET /v1/platforms/{platform_id}/ai-training and POST /v1/ai-training/checks."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Path, Request
from starlette.responses import Response

from app.api.bodies import json_bytes, parse_document
from app.api.compression import SELF_ENCODED
from app.api.deps import AnswersDep
from app.api.errors import Problem
from app.api.ratelimit import charge
from app.api.responses import to_response
from app.api.schemas.decisions import CATEGORY_IDS, Check, ChecksResponse, DecisionResponse, problem_responses
from app.policy import QueryError
from app.policy.model import FIRST_DAY, LAST_DAY
from app.serving.answers import AnswerService
from app.serving.languages import LANGUAGES, negotiate

router = APIRouter(tags=["decisions"])
MAX_CHECKS = 1000


def _param(name: str, description: str, schema: dict[str, Any], example: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
        "example": example,
    }


LANG_PARAMETER = _param(
    "lang",
    "The language of `summary` and `reasons`: en or de; omitted: the first of "
    "Accept-Language that the service speaks, else en. The answer says which in "
    "Content-Language.",
    {"type": "string", "enum": list(LANGUAGES)},
    "de",
)

DAYS = f"{FIRST_DAY} to {LAST_DAY}"  # the days a question may name (app.policy.model)

# Declared here rather than as typed arguments: the handler hands the raw values to the same parser the fast
# path uses, so both answer byte for byte alike, errors included.
QUERY_PARAMETERS = [
    _param(
        "category",
        "Answer for this data category only; omitted: one answer per category the platform has data for.",
        {"type": "string", "enum": CATEGORY_IDS},
        "public-posts",
    ),
    _param(
        "country",
        "Where the user lives: ISO 3166-1 alpha-2, case-insensitive (UK and EL are accepted for GB "
        "and GR); omitted: the answer for GLOBAL.",
        {"type": "string", "pattern": "^[A-Za-z]{2}$"},
        "DE",
    ),
    _param(
        "as_of",
        f"The day the question is about, {DAYS}; omitted: today (UTC).",
        {"type": "string", "format": "date"},
        "2025-09-01",
    ),
    _param("age", "The account holder's age in years.", {"type": "integer", "minimum": 0, "maximum": 150}, 30),
    _param("objected", "Whether the user objected / opted out (false: known not to have).", {"type": "boolean"}, True),
    _param(
        "objected_on",
        f"The day the user objected, {DAYS}; implies objected=true, so `objected=false` with `objected_on` is 422.",
        {"type": "string", "format": "date"},
        "2025-05-20",
    ),
    _param(
        "posted_on",
        f"The day the content was posted, {DAYS} (late objections may cover only newer content); not after as_of.",
        {"type": "string", "format": "date"},
        "2025-03-01",
    ),
    _param(
        "opted_in",
        "For opt-in settings: whether the user switched training on (false: known not to have).",
        {"type": "boolean"},
        True,
    ),
    _param(
        "opted_in_on",
        f"The day the user switched an opt-in setting on, {DAYS}; implies opted_in=true.",
        {"type": "string", "format": "date"},
        "2025-05-20",
    ),
    LANG_PARAMETER,
]


@router.get(
    "/platforms/{platform_id}/ai-training",
    summary="Is this content used for AI training on this platform?",
    response_model=DecisionResponse,
    responses={
        200: {"headers": {"ETag": {"schema": {"type": "string"}}}},
        304: {"description": "Not modified"},
        **problem_responses(404, 422),
    },
    openapi_extra={"parameters": QUERY_PARAMETERS},
)
def ai_training(
    request: Request,
    answers: AnswersDep,
    platform_id: Annotated[
        str, Path(description="The platform's id", openapi_examples={"instagram": {"value": "instagram"}})
    ],
    if_none_match: Annotated[str | None, Header(include_in_schema=False)] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
    accept_encoding: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Answer for one category or every category the platform has data for, with reasons and sources.

    `verdict` is `used`, `not_used`, `conditional` (the answer turns on the facts listed in `depends_on`) or
    `unknown` (no confirmed rule). Responses carry an `ETag`; send it back in `If-None-Match` to get 304.
    """
    scope = request.scope
    ans = answers.single(platform_id, scope["query_string"], scope["path"], accept_language, accept_encoding)
    scope[SELF_ENCODED] = True  # compressed and revalidated as the fast path does: the compression layer keeps off
    return to_response(ans, if_none_match)


_CHECKS = frozenset({"checks"})


@router.post(
    "/ai-training/checks",
    summary="Ask up to 1000 questions in one call",
    response_model=ChecksResponse,
    responses=problem_responses(413, 422),
    openapi_extra={
        "parameters": [LANG_PARAMETER],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["checks"],
                        "title": "ChecksRequest",
                        "properties": {
                            "checks": {"type": "array", "maxItems": MAX_CHECKS, "items": Check.model_json_schema()}
                        },
                    },
                }
            },
        },
    },
)
async def checks(request: Request, answers: AnswersDep) -> Response:
    """Answer each check in order: its decision with its platform, or a problem object with its own status.

    A bad check does not fail the others. More than 1000 checks, or a body over the size limit, gets 413.
    """
    raw = await json_bytes(request)
    # Off the event loop: the checks' 9,000 objects are made on one worker thread and answered and dropped on another,
    # never touched by the event loop's thread (there they took twice the time, in caches the batches had filled:
    # 8-10 % of a batch). Reading takes no batch slot, nor does counting the rate limit: a refused or malformed
    # batch, or a slow Redis, never holds up the others.
    handed = await anyio.to_thread.run_sync(_read_checks, raw)
    try:
        lang, by_header = negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))
    except QueryError as exc:
        raise Problem(exc.status, exc.detail, title="Invalid parameter", param=exc.param, valid=exc.valid) from None
    await charge(request, "decisions", len(handed[0]) - 1)  # the request itself counted one check already
    # Answered on a thread, a few batches at a time, so a flood of large batches never stalls the event loop.
    body = await anyio.to_thread.run_sync(
        _answer_checks, answers, handed, lang, raw, limiter=request.app.state.batch_threads
    )
    headers = {"Content-Language": lang, **({"Vary": "Accept-Language"} if by_header else {})}
    return Response(body, media_type="application/json", headers=headers)


def _read_checks(raw: bytes) -> list[list[Any]]:
    """Return a batch body's checks, in a list of one that hands them over: the thread answering them takes them out,
    so they are dropped there, not on the event loop."""
    # A second "checks" would drop the first list's checks without a word. Looking for one costs a scan of the bytes
    # (a name written with an escape, \u0063hecks, counts as one too), where reading every batch member by member
    # would cost more than the rest of the parse; inside the checks the last value still counts.
    maybe_twice = raw.count(b'"checks"') > 1 or b"\\u" in raw
    document = parse_document(raw, 'an object with a "checks" list', unique=_CHECKS if maybe_twice else False)
    items = document.get("checks")
    if not isinstance(items, list):
        raise Problem(422, 'The body must be a JSON object with a "checks" list.', param="checks")
    if len(document) > 1:  # a misspelt option must not pass unnoticed, as an unknown field of a check does not
        unknown = sorted(name for name in document if name != "checks")
        raise Problem(
            422,
            f'Unknown member {unknown[0]!r}; the body holds only "checks".',
            title="Invalid request",
            param=unknown[0],
        )
    if len(items) > MAX_CHECKS:
        raise Problem(
            413, f"{len(items)} checks is more than {MAX_CHECKS} in one call; split the batch.", param="checks"
        )
    return [items]


def _answer_checks(answers: AnswerService, handed: list[list[Any]], lang: str, raw: bytes) -> bytes:
    """Answer the checks handed over, on a worker thread, and drop them there."""
    return answers.batch(handed.pop(), lang, raw)
