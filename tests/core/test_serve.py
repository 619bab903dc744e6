"""`salesops run`: one command serves the web app and runs the job worker beside it; the worker
is restarted when it dies, and SIGTERM stops both cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STARTUP_LIMIT = 120  # seconds; a deadline for waiting, not a timed assertion


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Child processes of `pid`, whichever of its threads started them (Linux /proc)."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(p) for p in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return out


def _wait_for(predicate, what: str):
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        SALESOPS_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="salesops.config.settings",
        PYTHONUNBUFFERED="1",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "salesops", "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    banner = proc.stdout.readline()  # blocks until the server announces itself
    try:
        yield proc, port, banner
    finally:
        children = _children(proc.pid) if proc.poll() is None else []
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)


def _get(port: int, path: str):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return r.status, r.read()


def test_run_serves_the_app_and_starts_the_worker_and_sigterm_stops_both(server):
    proc, port, banner = server
    assert banner.strip() == f"SalesOps is running at http://127.0.0.1:{port}/"
    status, body = _get(port, "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert _get(port, "/login/")[0] == 200
    (worker,) = _wait_for(lambda: _children(proc.pid), "the worker process")
    assert "run_huey" in Path(f"/proc/{worker}/cmdline").read_text()

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(STARTUP_LIMIT) == 0
    assert not Path(f"/proc/{worker}").exists() or "Z" in _proc_state(worker)


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0]
    except FileNotFoundError:
        return "gone"


def test_run_restarts_the_worker_when_it_dies(server):
    proc, port, _ = server
    (first,) = _wait_for(lambda: _children(proc.pid), "the worker process")
    os.kill(first, signal.SIGKILL)
    (second,) = _wait_for(
        lambda: [c for c in _children(proc.pid) if c != first], "a restarted worker process"
    )
    assert second != first
    assert _get(port, "/healthz")[0] == 200


def test_a_server_killed_hard_takes_its_worker_with_it(server):
    proc, _port, _ = server
    (worker,) = _wait_for(lambda: _children(proc.pid), "the worker process")
    proc.kill()
    proc.wait()
    _wait_for(
        lambda: (
            [] if Path(f"/proc/{worker}").exists() and "Z" not in _proc_state(worker) else [worker]
        ),
        "the worker to exit after the server died",
    )
