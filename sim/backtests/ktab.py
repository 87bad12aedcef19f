"""KTAB's spatial-model CSV format (KAPSARC): actors with an influence, and a position and salience
per dimension. Line 1 is a title (name; description; actor count; dimension count), line 2 the header."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.backtests.data_files import not_a_data_file, read_text
from sim.backtests.data_folder import data_dir
from sim.errors import ScenarioError
from sim.model.compromise import weighted_position

FOLDER = "ktab-china-soe"
KIND = "ktab"


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
    lines = [
        (number, [cell.strip() for cell in row])
        for number, row in enumerate(csv.reader(read_text(path, KIND).splitlines()), start=1)
        if any(cell.strip() for cell in row)
    ]
    title = [cell for cell in lines[0][1] if cell] if lines else []
    try:
        actor_count, dimension_count = int(title[-2]), int(title[-1])
    except (IndexError, ValueError):
        raise not_a_data_file(path, KIND, "line 1: expected a title ending in the actor and dimension counts") from None
    if actor_count < 1 or dimension_count < 1:
        raise not_a_data_file(path, KIND, "line 1: the title's actor and dimension counts must be 1 or more")
    header = [cell for cell in lines[1][1] if cell] if len(lines) > 1 else []
    body = lines[2:]
    if len(body) != actor_count or len(header) != 3 + 2 * dimension_count:
        raise not_a_data_file(
            path,
            KIND,
            f"title says {actor_count} actors and {dimension_count} dimensions; "
            f"found {len(body)} actor rows and {len(header)} header columns",
        )
    values = np.array([_numbers(path, header, number, row) for number, row in body])
    return KtabTable(
        title=title[0],
        actors=tuple(row[0] for _, row in body),
        dimensions=tuple(header[3 + 2 * d].removesuffix(" Position") for d in range(dimension_count)),
        influence=values[:, 0],
        position=values[:, 1::2],
        salience=values[:, 2::2],
    )


def _numbers(path: Path, header: list[str], number: int, row: list[str]) -> list[float]:
    """The influence, positions and saliences of the actor on line ``number``, each checked to be a number."""
    if len(row) < len(header) or any(row[len(header) :]):
        raise not_a_data_file(path, KIND, f"line {number}: expected the header's {len(header)} cells")
    values = []
    for column, cell in zip(header[2:], row[2 : len(header)], strict=True):
        try:
            value = float(cell)
        except ValueError:
            value = np.nan
        if not np.isfinite(value):
            raise not_a_data_file(path, KIND, f"line {number}, column {column}: expected a number (got {cell!r})")
        values.append(value)
    return values


def weighted_means(table: KtabTable) -> dict[str, float]:
    """The compromise model per dimension: positions weighted by influence x salience."""
    weight = table.influence[:, None] * table.salience
    means = weighted_position(table.position[:, :, None], weight[:, :, None])[:, 0]
    return dict(zip(table.dimensions, means.tolist(), strict=True))
