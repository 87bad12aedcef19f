"""Progress bars (tqdm) for long computations: on in a terminal, off when output goes elsewhere."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def progress_bar(
    total: int, description: str, show: bool | None = None, unit: str = "run"
) -> Iterator[Callable[[int], None]]:
    """A bar over ``total`` runs (or figures ...: ``unit``); yields the function that advances it. ``show``: True
    or False, or None for tqdm's own choice (shown when standard error is a terminal)."""
    from tqdm.auto import tqdm

    with tqdm(
        total=total,
        unit=unit,
        desc=description[:40],
        disable=None if show is None else not show,
        file=sys.stderr,
        dynamic_ncols=True,
    ) as bar:
        yield bar.update
