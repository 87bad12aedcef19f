"""Utility of a package: salience-weighted closeness to an actor's positions (docs/model.md, section 1)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.deal_values import KINDS, elementwise, weighted_losses

UTILITY_FORMS = tuple(KINDS)


@dataclass(frozen=True)
class UtilityForm:
    """How distance from a position is valued: ``kind`` (one of :data:`UTILITY_FORMS`), and for loss aversion the
    status quo ``reference [issues, runs]`` and the factor ``loss_aversion [runs]`` on losses beyond it."""

    kind: str
    reference: np.ndarray
    loss_aversion: np.ndarray

    def take(self, runs: np.ndarray | slice) -> UtilityForm:
        """The same form over a subset of runs."""
        return UtilityForm(self.kind, self.reference[:, runs], self.loss_aversion[runs])


def package_utility(position: np.ndarray, weight: np.ndarray, package: np.ndarray, form: UtilityForm) -> np.ndarray:
    """``1 - sum_j weight_j * loss_j`` per run. The loss is squared (``quadratic``), absolute (``linear``), or squared
    with the part beyond the status quo's loss counted ``loss_aversion`` times (``loss_averse``).

    ``position`` and ``weight`` are ``[..., issues, runs]`` (e.g. one actor, or ``[actors, issues, runs]``);
    ``package`` is ``[issues, runs]``.
    """
    arrays = package, position, weight, form.reference, form.loss_aversion
    loss = elementwise(weighted_losses, *arrays, kind=KINDS[form.kind])
    return 1.0 - loss.sum(axis=-2)
