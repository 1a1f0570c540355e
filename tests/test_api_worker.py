"""``api.worker``: a ``--workers`` child asks to die with its parent; other processes are left alone.

Each request is made in a child process, never in pytest's own. The real case, SIGKILL of a running
master, is ``test_workers_exit_when_the_master_is_killed`` in ``tests/test_reliability.py``.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import signal
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from api import worker

PR_GET_PDEATHSIG = 2  # <linux/prctl.h>
ROOT = Path(__file__).resolve().parents[1]

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")


def parent_death_signal() -> int:
    """This process's parent-death signal (0: none)."""
    value = ctypes.c_int(0)
    assert ctypes.CDLL(None, use_errno=True).prctl(PR_GET_PDEATHSIG, ctypes.byref(value), 0, 0, 0) == 0
    return value.value


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )


@linux_only
def test_die_with_parent_arms_sigterm() -> None:
    done = _python(
        "import os\n"
        "from api.worker import die_with_parent\n"
        "from tests.test_api_worker import parent_death_signal\n"
        "before = parent_death_signal()\n"
        "armed = die_with_parent(os.getppid())\n"
        "print(before, armed, parent_death_signal())\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "True", str(int(signal.SIGTERM))]


@linux_only
def test_a_parent_already_gone_means_sigterm_at_once() -> None:
    """The race: the parent died before the request, so the kernel will never send the signal."""
    done = _python(
        "import subprocess\n"
        "from api.worker import die_with_parent\n"
        "gone = subprocess.Popen(['true'])\n"
        "gone.wait()\n"
        "die_with_parent(gone.pid)\n"
        "print('still running')\n"
    )
    assert done.returncode == -signal.SIGTERM, (done.returncode, done.stderr)
    assert "still running" not in done.stdout


def test_no_op_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker.sys, "platform", "darwin")
    monkeypatch.setattr(worker.ctypes, "CDLL", lambda *a, **k: pytest.fail("no prctl off Linux"))
    assert worker.die_with_parent(12345) is False


def _factory_in_this_process() -> tuple[str, int]:
    app = worker.create_worker_app()
    return app.title, parent_death_signal()


@linux_only
def test_the_factory_arms_only_in_a_spawned_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's ``--workers`` children are spawned by multiprocessing; a single server is not."""
    monkeypatch.setenv("TASKQA_FEEDBACK_DB", str(tmp_path / "fb.sqlite3"))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(_factory_in_this_process).result(timeout=120) == ("taskqa", int(signal.SIGTERM))
    # In pytest's own process (like `python -m api` with one worker) nothing is armed.
    assert _factory_in_this_process() == ("taskqa", 0)
