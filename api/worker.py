"""The app factory ``python -m api`` hands uvicorn; in a ``--workers`` child it first ties the child's life
to the master's.

uvicorn's supervisor spawns each worker with multiprocessing. When the supervisor dies by SIGKILL nothing
tells the workers: init adopts them and they keep serving the port, so a restart cannot bind it. On Linux
each worker asks the kernel for SIGTERM when its parent dies (``prctl(2)``, ``PR_SET_PDEATHSIG``), the
signal uvicorn already answers by draining its requests and exiting. Elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys

from fastapi import FastAPI

from api.app import create_app

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent(parent_pid: int, sig: signal.Signals = signal.SIGTERM) -> bool:
    """Have the kernel send ``sig`` to this process when the parent that started it ends.

    The request only covers a parent alive when it is made, so a parent that is already gone (this
    process re-parented, ``getppid() != parent_pid``) gets the same answer at once: ``sig`` to ourselves.

    Args:
        parent_pid: the process that started this one, as it recorded itself.
        sig: the signal to receive.

    Returns:
        False where there is no such request (not Linux), else True.

    Raises:
        OSError: ``prctl`` refused.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)  # the C library the interpreter is linked with
    if libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(sig), 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl(PR_SET_PDEATHSIG): {os.strerror(errno)}")
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)
    return True


def create_worker_app() -> FastAPI:
    """:func:`api.app.create_app`, called by uvicorn in every serving process.

    In a process multiprocessing started (a ``--workers`` child) it first calls :func:`die_with_parent`
    with the master's pid; a single-process server (no parent of that kind) is left as it is, so it does
    not stop when the shell that started it goes away.
    """
    parent = multiprocessing.parent_process()
    if parent is not None and parent.pid is not None:
        die_with_parent(parent.pid)
    return create_app()
