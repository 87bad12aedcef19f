"""One writer at a time per results folder: an advisory lock held for the life of a command.

The lock is ``flock`` on ``DIR/.sim.lock``. The operating system releases it when its holder ends,
however it ends, so a lock left by a crashed or killed command never blocks the next one. Commands that
write into a folder hold it exclusively; commands that only read hold it shared.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import ScenarioError

LOCK_FILE = ".sim.lock"


def _holder(lock: Path) -> str:
    try:
        pid = lock.read_text().strip()
    except OSError:
        return "another sim command"
    return f"another sim command (process {pid})" if pid.isdigit() else "another sim command"


@contextmanager
def locked(folder: Path, exclusive: bool = True) -> Iterator[None]:
    """Hold ``folder``'s lock (exclusive to write, shared to read), or refuse at once with a clear message.

    A reader of a folder it cannot write to (read-only media) reads without a lock.
    """
    lock = folder / LOCK_FILE
    try:
        descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        if exclusive:
            raise
        yield
        return
    try:
        try:
            fcntl.flock(descriptor, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            doing = "writing to" if lock.stat().st_size else "reading"
            raise ScenarioError(
                folder,
                [("", f"{_holder(lock)} is {doing} this folder; wait for it to finish or choose another folder")],
            ) from None
        if exclusive:
            os.ftruncate(descriptor, 0)
            os.write(descriptor, str(os.getpid()).encode())
        try:
            yield
        finally:
            if exclusive:
                os.ftruncate(descriptor, 0)
    finally:
        os.close(descriptor)
