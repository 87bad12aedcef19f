"""The folders commands write to: staged so that a folder holds all of its files or none, locked while in use."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import ScenarioError
from sim.experiments.folder_lock import locked


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` to write into; its files move into ``out`` only once all are written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield stage
        out.mkdir(exist_ok=True)
        for item in sorted(stage.iterdir()):
            os.replace(item, out / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def results_folder(path: str | Path, writes: bool) -> Iterator[Path]:
    """An existing results folder, locked for the command: exclusively if it ``writes`` into it, else shared."""
    folder = Path(path)
    if not folder.is_dir():
        raise ScenarioError(folder, [("", "no such folder" if not folder.exists() else "is not a folder")])
    with locked(folder, exclusive=writes):
        yield folder


def require_empty(folder: Path, overwrite: bool) -> None:
    """Refuse to write into a folder that holds files, unless told to overwrite."""
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise ScenarioError(folder, [("", "is not empty; choose another --out or pass --overwrite")])
