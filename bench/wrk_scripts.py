"""wrk's Lua scripts for the bench: every request is formatted once, in wrk's `init`, before its clock starts.

Formatting a request as it is sent (wrk.format in `request`) makes a new Lua string per request. Beside a table of
200,000 paths, LuaJIT then stalls wrk for tens of ms now and then (with its collector on, and with it stopped too),
and every request in flight counts the stall as the server's latency: the bare ceiling, sent the varied paths that
way, showed a p99 of 4.5-38 times its p50 (2.4-3.5 times without a script). Formatted in `init`, `request` allocates
nothing, and the ceiling's p99 under the same paths stays at 2.4-4.1 times its p50.
"""

from __future__ import annotations

import json
from pathlib import Path


def write_script(target: Path, data: str, build: str) -> Path:
    """Write a script: `data` defines tables at load time, `build` fills the table `requests` from them in wrk's
    `init` (which runs once wrk.init has set the Host header, before wrk's clock starts); they are sent in turn."""
    target.write_text(
        "local requests, count, i = {}, 0, 0\n"
        + data
        + "function init(args)\n"
        + build
        + "  count = #requests\n  collectgarbage('collect')\nend\n"
        "request = function()\n  i = i + 1\n  return requests[(i - 1) % count + 1]\nend\n"
    )
    return target


def lua_strings(name: str, values: list[str]) -> str:
    """Return Lua code defining a local table of strings."""
    return f"local {name} = {{\n" + ",\n".join(json.dumps(value) for value in values) + "\n}\n"


def lua_paths(paths: list[str], target: Path) -> Path:
    """Write a wrk script that requests each path once, in order."""
    return write_script(
        target, lua_strings("paths", paths), "  for k = 1, #paths do requests[k] = wrk.format('GET', paths[k]) end\n"
    )


def lua_batches(batches: list[list[dict]], target: Path) -> Path:
    """Write a wrk script that POSTs the batch bodies in turn (one body: the same batch every time)."""
    bodies = [json.dumps({"checks": checks}) for checks in batches]
    return write_script(
        target,
        lua_strings("bodies", bodies),
        "  local headers = {['Content-Type'] = 'application/json'}\n"
        "  for k = 1, #bodies do requests[k] = wrk.format('POST', nil, headers, bodies[k]) end\n",
    )


def lua_mixed(paths: list[str], write_path: str, token: str, every: int, target: Path) -> Path:
    """Write a wrk script requesting the paths in turn, with every `every`-th request a PATCH of one rule's notes
    (each with notes of its own) in place of its path."""
    return write_script(
        target,
        lua_strings("paths", paths),
        f"  local headers = {{['Authorization'] = {json.dumps('Bearer ' + token)}, "
        "['Content-Type'] = 'application/json'}\n"
        "  for k = 1, #paths do\n"
        f"    if k % {every} == 0 then\n"
        f"      requests[k] = wrk.format('PATCH', {json.dumps(write_path)}, headers, "
        "'{\"notes\":[\"mixed ' .. k .. '\"]}')\n"
        "    else\n"
        "      requests[k] = wrk.format('GET', paths[k])\n"
        "    end\n"
        "  end\n",
    )
