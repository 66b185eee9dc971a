"""The benchmark's ceiling: a bare Starlette app returning a constant JSON body of a decision's size."""

import os

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"padding":"' + b"x" * (int(os.environ.get("BENCH_BODY_BYTES", "7400")) - 14) + b'"}'


async def constant(_request) -> Response:
    """Return the same JSON bytes every time."""
    return Response(BODY, media_type="application/json")


# Any other path too, after "/" so that (a) matches no more than before: the (a) row under (c)'s script of varied
# paths shows what the load generator's own work adds to a tail.
app = Starlette(routes=[Route("/", constant), Route("/{path:path}", constant)])
