"""KTAB's spatial-model CSV format (KAPSARC): actors with an influence, and a position and salience
per dimension. Line 1 is a title (name; description; actor count; dimension count), line 2 the header."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.backtests.data_folder import data_dir
from sim.errors import ScenarioError
from sim.model.compromise import weighted_position

FOLDER = "ktab-china-soe"


@dataclass(frozen=True)
class KtabTable:
    """One KTAB input: ``position`` and ``salience`` are ``[actors, dimensions]``."""

    title: str
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    influence: np.ndarray
    position: np.ndarray
    salience: np.ndarray


def ktab_files(data: str | Path | None = None) -> list[Path]:
    """The KTAB files to read: ``data`` if it is a file, else every CSV file in the data folder's KTAB folder
    (:func:`sim.backtests.data_folder.data_dir`, which takes ``data`` as the data folder)."""
    if data is not None and not Path(data).is_dir():
        return [Path(data)]
    folder = data_dir(data, FOLDER) / FOLDER
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise ScenarioError(folder, [("", "no KTAB CSV files found")])
    return files


def load_ktab(path: str | Path) -> KtabTable:
    """Read a KTAB CSV file, checking the actor and dimension counts its title line states."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(path, [("", "file not found")])
    rows = [[cell.strip() for cell in row] for row in csv.reader(path.read_text(encoding="utf-8").splitlines())]
    title = [cell for cell in rows[0] if cell]
    try:
        actor_count, dimension_count = int(title[-2]), int(title[-1])
    except (IndexError, ValueError):
        raise ScenarioError(path, [("line 1", "expected a title ending in the actor and dimension counts")]) from None
    header = [cell for cell in rows[1] if cell]
    body = [[cell for cell in row if cell] for row in rows[2:] if any(row)]
    if len(body) != actor_count or len(header) != 3 + 2 * dimension_count:
        raise ScenarioError(
            path,
            [
                (
                    "",
                    f"title says {actor_count} actors and {dimension_count} dimensions; "
                    f"found {len(body)} actor rows and {len(header)} header columns",
                )
            ],
        )
    values = np.array([[float(cell) for cell in row[2 : 3 + 2 * dimension_count]] for row in body])
    return KtabTable(
        title=title[0],
        actors=tuple(row[0] for row in body),
        dimensions=tuple(header[3 + 2 * d].removesuffix(" Position") for d in range(dimension_count)),
        influence=values[:, 0],
        position=values[:, 1::2],
        salience=values[:, 2::2],
    )


def weighted_means(table: KtabTable) -> dict[str, float]:
    """The compromise model per dimension: positions weighted by influence x salience."""
    weight = table.influence[:, None] * table.salience
    means = weighted_position(table.position[:, :, None], weight[:, :, None])[:, 0]
    return dict(zip(table.dimensions, means.tolist(), strict=True))
