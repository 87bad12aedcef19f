"""Where the real data lives (the backtests', the history's, the forecasting platforms'): the folder ``--data`` names,
else ``$NEGOTIATION_SIM_DATA``, else ``shared/data`` beside the checkout (``../shared/data`` from the project root).

The checkout is the source tree the toolkit is imported from; a regular (non-editable) install has none, and the
working directory stands for it.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.errors import ScenarioError

ENVIRONMENT_VARIABLE = "NEGOTIATION_SIM_DATA"
_SHARED = Path("shared") / "data"


def data_dir(explicit: str | Path | None, folder: str) -> Path:
    """The data folder holding ``folder/``: ``explicit`` (``--data``), else ``$NEGOTIATION_SIM_DATA``, else the first
    of :func:`default_dirs` that holds it. Raises :class:`ScenarioError` naming where it looked."""
    if explicit is not None or os.environ.get(ENVIRONMENT_VARIABLE):
        chosen = Path(explicit if explicit is not None else os.environ[ENVIRONMENT_VARIABLE])
        where = "--data" if explicit is not None else ENVIRONMENT_VARIABLE
        if not (chosen / folder).is_dir():
            raise ScenarioError(chosen, [(where, f"holds no {folder}/ folder")])
        return chosen
    for candidate in default_dirs():
        if (candidate / folder).is_dir():
            return candidate
    raise ScenarioError(
        folder,
        [
            (
                "",
                f"data not found: pass --data DIR or set {ENVIRONMENT_VARIABLE} "
                f"(the folder that holds {folder}/, e.g. ../shared/data)",
            )
        ],
    )


def source_checkout() -> Path | None:
    """The project folder the toolkit is imported from, or None in a regular install (no ``pyproject.toml`` there)."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else None


def default_dirs() -> list[Path]:
    """Where the data is looked for without a flag: beside the checkout, then beside the working directory."""
    roots = [source_checkout(), Path.cwd().resolve()]
    return [root.parent / _SHARED for root in roots if root is not None]


def find_data_dir(folder: str) -> Path | None:
    """The data folder holding ``folder/`` if one is found without a flag, else None (for tests and optional parts)."""
    try:
        return data_dir(None, folder)
    except ScenarioError:
        return None


def data_file(explicit: str | Path | None, folder: str, name: str) -> Path:
    """A data file: ``explicit`` itself unless it is a folder, else ``folder/name`` in the data folder
    (:func:`data_dir`, which takes ``explicit`` as the data folder)."""
    if explicit is not None and not Path(explicit).is_dir():
        return Path(explicit)
    return data_dir(explicit, folder) / folder / name
