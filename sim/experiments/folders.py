"""The folders commands write to: staged so that a folder holds all of its files or none, locked while in use, and
never inside a results folder (but for the places of what is derived from its runs)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import ScenarioError
from sim.experiments.folder_lock import locked
from sim.experiments.results import check_output_place, results_folder_holding


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside ``out`` to write into; its files move into ``out`` only once all are written."""
    _require_no_file(out, "another place")
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        yield stage
        out.mkdir(exist_ok=True)
        for item in sorted(stage.iterdir()):
            try:
                os.replace(item, out / item.name)
            except OSError as error:
                raise ScenarioError(out / item.name, [("", f"cannot be written: {error.strerror or error}")]) from None
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


def derived_output(source: Path, out: str | None, default: str, suffix: str | None = None) -> tuple[Path, bool]:
    """Where a command reading the results folder ``source`` writes what it derives: ``--out``, else ``default`` in
    ``source``; checked as a folder (or, with ``suffix``, a file of that kind); and whether it lies inside ``source``
    (so that ``source`` is locked to write)."""
    path = Path(out) if out else source / default
    if suffix is None:
        check_folder_target(path, "--out", source)
    else:
        check_file_target(path, "--out", suffix, source)
    return path, results_folder_holding(path) is not None


def check_folder_target(folder: Path, flag: str, source: Path | None = None) -> None:
    """Refuse a folder to write files into (given as ``flag``) that is a file, or lies inside a results folder (but
    for the places of what is derived from ``source``'s runs)."""
    check_output_place(folder, flag, source)
    _require_no_file(folder, f"another {flag}")


def _require_no_file(folder: Path, instead: str) -> None:
    """Refuse a folder to write into where a file is, suggesting to choose ``instead``."""
    if folder.exists() and not folder.is_dir():
        raise ScenarioError(folder, [("", f"exists and is not a folder; choose {instead}")])


def require_empty(folder: Path, overwrite: bool, flag: str = "--out", source: Path | None = None) -> None:
    """Refuse a folder to write into (given as ``flag``) that :func:`check_folder_target` refuses, or that holds
    files, unless told to overwrite."""
    check_folder_target(folder, flag, source)
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise ScenarioError(folder, [("", f"is not empty; choose another {flag} or pass --overwrite")])


def check_file_target(path: Path, flag: str, suffix: str, source: Path | None = None) -> None:
    """Refuse a file to write (given as ``flag``) that lies inside a results folder (but for the places of what is
    derived from ``source``'s runs), is a folder, or would replace a file of another kind than ``suffix``."""
    check_output_place(path, flag, source)
    if path.is_dir():
        raise ScenarioError(flag, [(str(path), "is a folder; give a file name")])
    if path.exists() and path.suffix.lower() != suffix:
        raise ScenarioError(
            flag,
            [
                (
                    str(path),
                    f"exists and is not a {suffix} file, the only kind replaced; choose another name or remove it",
                )
            ],
        )
