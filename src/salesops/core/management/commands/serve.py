"""`salesops run`: the web server (waitress, threads) and the job worker (Huey) together.

The worker is a supervised child process running `salesops run_huey`: it is restarted if it
dies, and stopped cleanly (SIGINT: finish the running task, then exit) when the server stops
on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

WORKER_STOP_SECONDS = 30
RESTART_DELAY_SECONDS = 2


def _die_with_parent() -> None:
    """In the worker, before it starts (Linux): ask the kernel for SIGTERM when the server that
    started it dies, so a server killed hard (SIGKILL, OOM) leaves no orphaned worker behind."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


class WorkerSupervisor:
    """Runs `salesops run_huey` as a child process and restarts it when it exits."""

    def __init__(self, write=print):
        self.write = write
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="worker-supervisor", daemon=True)

    @staticmethod
    def command() -> list[str]:
        # Checks already ran in the serving process; skipping them starts the worker sooner.
        return [sys.executable, "-m", "salesops", "run_huey", "--quiet", "--skip-checks"]

    def _spawn(self) -> None:
        preexec = _die_with_parent if sys.platform.startswith("linux") else None
        self.proc = subprocess.Popen(self.command(), env=os.environ.copy(), preexec_fn=preexec)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _loop(self) -> None:
        while not self._stopping.wait(0.5):
            proc = self.proc
            if proc is not None and proc.poll() is not None and not self._stopping.is_set():
                self.write(f"worker exited with code {proc.returncode}; restarting it")
                self._stopping.wait(RESTART_DELAY_SECONDS)
                if not self._stopping.is_set():
                    self.restarts += 1
                    self._spawn()

    def stop(self) -> None:
        self._stopping.set()
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        # SIGINT: Huey's graceful shutdown (the running task finishes); then SIGTERM (Huey
        # interrupts the task; imports are one transaction, so nothing is half-written).
        for sig, wait in ((signal.SIGINT, WORKER_STOP_SECONDS), (signal.SIGTERM, 5)):
            proc.send_signal(sig)
            try:
                proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
        proc.kill()
        proc.wait()


def _static_collected() -> bool:
    root = settings.STATIC_ROOT
    return root.exists() and (root / "salesops").exists() and (root / "admin").exists()


class Command(BaseCommand):
    help = "Serve SalesOps: web server (waitress) and job worker (Huey) together."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SALESOPS_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-worker", action="store_true", help="web server only (workers run elsewhere)"
        )

    def handle(self, *args, host, port, threads, no_worker, **options):
        from waitress import create_server

        from salesops.config.wsgi import application

        # Static files are collected once (and again after an upgrade adds files).
        call_command("collectstatic", interactive=False, verbosity=0)
        server = create_server(application, host=host, port=port, threads=threads, ident="SalesOps")
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(f"SalesOps is running at http://{shown_host}:{port}/")
        for line in self._demo_lines():
            self.stdout.write(f"  {line}")
        self.stdout.flush()

        def _terminate(signum, frame):
            raise KeyboardInterrupt

        # Ctrl-C and SIGTERM stop the server. Python handlers (not an inherited "ignore", as
        # under nohup) also mean the worker starts with default dispositions, so it can be
        # stopped while it is still starting up.
        signal.signal(signal.SIGTERM, _terminate)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        supervisor = None
        if not no_worker:
            supervisor = WorkerSupervisor(write=self.stdout.write)
            supervisor.start()
            self.stdout.write("Job worker started (salesops run_huey).")
        self.stdout.flush()
        try:
            server.run()  # returns on Ctrl-C / SIGTERM (waitress handles the interrupt)
        except KeyboardInterrupt:
            pass
        finally:
            self.stdout.write("Stopping ...")
            server.close()
            if supervisor is not None:
                supervisor.stop()
            self.stdout.write("Stopped.")

    def _demo_lines(self) -> list[str]:
        try:
            from salesops.demo import demo_login_lines
        except ImportError:
            return []
        try:
            lines = demo_login_lines()
        except Exception:  # a database not migrated yet must not stop the server
            return []
        if not lines:
            return []
        return ["Demo logins:", *lines]
