"""Settings for the test suite: the normal settings, with a data dir of the test process's own.

pytest-django imports the settings before any conftest.py runs, so the data dir (secret key,
embedded job queue, uploads) must be chosen here, not in a fixture. It is always a fresh
temporary dir (never the developer's ./var, even under `make`, which exports
SALESOPS_DATA_DIR), with one sub-dir per xdist worker, so workers do not share a job queue.
Subprocesses started by tests (the worker, `salesops run`) inherit the same dir through the
environment (SALESOPS_TEST_DATA_DIR, PYTEST_XDIST_WORKER).
"""

import atexit
import os
import shutil
import tempfile

_base = os.environ.get("SALESOPS_TEST_DATA_DIR")
if not _base:  # the first process of the run (the xdist controller) makes and removes it
    _base = tempfile.mkdtemp(prefix="salesops-test-")
    os.environ["SALESOPS_TEST_DATA_DIR"] = _base
    atexit.register(shutil.rmtree, _base, ignore_errors=True)
os.environ["SALESOPS_DATA_DIR"] = os.path.join(_base, os.environ.get("PYTEST_XDIST_WORKER", "main"))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from .settings import *  # noqa: E402, F403
