"""Figures written to files: PNG and SVG, drawn without a display."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def use_agg() -> None:
    """Draw without a display (files only); call before pyplot is first used."""
    import matplotlib

    matplotlib.use("Agg")


def save_figure(figure: Figure, folder: Path, name: str) -> None:
    """Write a figure as PNG and SVG, and close it."""
    import matplotlib.pyplot as plt

    for suffix in ("png", "svg"):
        figure.savefig(folder / f"{name}.{suffix}", dpi=120)
    plt.close(figure)


def write_figures(
    drawings: Mapping[str, Callable[[Axes], object]],
    folder: Path,
    size: tuple[float, float] = (8, 4.5),
    advance: Callable[[int], object] | None = None,
) -> None:
    """Draw each named figure on its own axes and write it to ``folder`` (``advance(1)`` after each)."""
    import matplotlib.pyplot as plt

    for name, draw in drawings.items():
        figure, ax = plt.subplots(figsize=size, layout="constrained")
        draw(ax)
        save_figure(figure, folder, name)
        if advance is not None:
            advance(1)
