"""The ten-line receiver in docs/webhooks.md verifies a real delivery."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
from pathlib import Path

from webhook_support import PORTS, Clock, deliverer

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError(f"no free port in {PORTS}")


def _wait_listening(port: int, process: subprocess.Popen) -> None:
    """Wait until the receiver accepts connections (or has died)."""
    while process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)
    raise AssertionError(f"the receiver from the docs exited: {process.stderr.read() if process.stderr else ''}")


def test_the_receiver_in_the_docs_verifies_a_delivery(setup):
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    assert len([line for line in code.splitlines() if line.strip()]) == 10
    port = _free_port()
    body = {"url": f"http://127.0.0.1:{port}/", "events": ["dataset.changed"]}
    created = setup.client.post("/v1/webhooks", json=body, headers=setup.hooks).json()
    code = code.replace("whsec_...", created["secret"]).replace('("", 8000)', f'("127.0.0.1", {port})')
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_listening(port, process)
        assert setup.client.post(f"/v1/webhooks/{created['id']}/ping", headers=setup.hooks).status_code == 202
        worker = deliverer(setup.url, Clock())
        assert worker.run_once().delivered == 1
        worker.stop()
        assert process.stdout.readline() == f"webhook.ping {{'webhook_id': '{created['id']}'}}\n"
    finally:
        process.terminate()
        process.wait(timeout=30)
