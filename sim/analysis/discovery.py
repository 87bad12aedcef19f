"""Scenario discovery: the regions of parameter space where an outcome happens (DataFrame in, boxes out).

PRIM (Friedman & Fisher 1999) comes from the EMA Workbench; CART from scikit-learn. Both read the runs
of a results folder: the sampled parameters and a yes/no outcome the analyst names.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import conditions
from sim.analysis.summary import in_time_unit, within
from sim.model.outcomes import OUTCOME_CLASSES

_WITHIN = re.compile(r"^deal_within_(\d+)_(month|week|day)s?$")


def condition(
    runs: pd.DataFrame,
    name: str | None = None,
    where: str | None = None,
    classes: list[str] | None = None,
    unit: str = "month",
) -> pd.Series:
    """The runs where the named outcome happens: an outcome class (one of ``classes``, the scenario's, or
    any class name), ``deal_within_N_months`` (or ``_weeks``, ``_days``), or a condition over the columns
    (``where="deal and months_to_deal <= 12"``, see :mod:`sim.analysis.conditions`), whose times may also be counted in
    the rounds' ``unit`` (``weeks_to_deal <= 4``)."""
    if where is not None:
        try:
            return conditions.evaluate(where, with_time_unit(runs, unit))
        except ValueError as error:
            shown = where if len(where) <= QUOTED else f"{where[:QUOTED]}..."
            raise ValueError(f"cannot evaluate {shown!r}: {error}") from None
    known = classes if classes is not None else OUTCOME_CLASSES
    if name in known:
        return runs["outcome"] == name
    match = _WITHIN.match(name or "")
    if match:
        return within(runs["months_to_deal"], int(match.group(1)), match.group(2))
    raise ValueError(
        f"unknown outcome {name!r}: use an outcome class ({', '.join(known)}), deal_within_N_{unit}s, or --where"
    )


def with_time_unit(runs: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The runs with each ``months_to_*`` column also counted in ``unit`` as ``<unit>s_to_*`` (``weeks_to_deal``;
    whole rounds come out as whole numbers, so ``weeks_to_deal <= 29`` holds at 29 weeks)."""
    months = [name for name in runs.columns if str(name).startswith("months_to_")]
    if unit == "month" or not months:
        return runs
    return pd.concat([runs, in_time_unit(runs[months], unit).round(9)], axis=1)


QUOTED = 80
"""The most characters of a condition an error message quotes."""
MIN_LIFT = 1.1
"""A box is worth showing when its density is at least this many times the outcome's share of all runs."""


@dataclass(frozen=True)
class PrimBox:
    """PRIM's peeling trajectory, the chosen step, and that box's limits in the parameters' own units."""

    trajectory: pd.DataFrame
    chosen: int
    limits: pd.DataFrame
    share: float

    @property
    def useful(self) -> bool:
        """Whether the box restricts a parameter and is markedly denser than all runs (see :data:`MIN_LIFT`)."""
        density = float(self.trajectory.loc[self.chosen, "density"])
        return len(self.limits) > 0 and density >= least_useful_density(self.share) and density > self.share


def least_useful_density(share: float) -> float:
    """The density a box needs to be worth showing, for an outcome with this ``share`` of all runs."""
    return min(MIN_LIFT * share, 1.0)


def prim(runs: pd.DataFrame, parameters: list[str], happens: pd.Series, threshold: float = 0.8) -> PrimBox:
    """Peel boxes around the runs where ``happens``; choose the box with the most coverage (then the densest)
    whose density reaches ``threshold`` and the density that makes a box useful (:attr:`PrimBox.useful`); if none
    does, the one with the largest coverage x density. ``limits`` lists the restricted parameters."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.WARNING)
        from ema_workbench.analysis import prim as ema_prim

        x = runs[parameters].astype(float).reset_index(drop=True)
        # Ask only for a box denser than all runs, so the trajectory is complete; the box is chosen below.
        floor = min(threshold, float(happens.mean()) + 1e-9)
        algorithm = ema_prim.Prim(x, happens.to_numpy(bool), threshold=floor, peel_alpha=0.05, mass_min=0.02)
        box = algorithm.find_box()
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    share = float(happens.mean())
    density = trajectory["density"]
    meets = trajectory.index[(density >= max(threshold, least_useful_density(share))) & (density > share)]
    balance = trajectory["coverage"] * trajectory["density"]
    widest = trajectory.loc[meets].sort_values(["coverage", "density"], ascending=False, kind="stable")
    chosen = int(widest.index[0]) if len(meets) else int(balance.idxmax())
    initial, final = box.box_lims[0], box.box_lims[chosen]
    rows = {
        name: {
            "low": final.loc[0, name],
            "high": final.loc[1, name],
            "range_low": initial.loc[0, name],
            "range_high": initial.loc[1, name],
        }
        for name in parameters
        if not np.isclose([final.loc[0, name], final.loc[1, name]], [initial.loc[0, name], initial.loc[1, name]]).all()
    }
    limits = pd.DataFrame.from_dict(
        rows, orient="index", columns=["low", "high", "range_low", "range_high"]
    ).rename_axis("parameter")
    return PrimBox(trajectory, chosen, limits, share)


def simplified_rule(bounds: dict[str, tuple[float, float]]) -> str:
    """A leaf's rule with one condition per parameter: ``x > 0.19``, ``x <= 0.4`` or ``0.19 < x <= 0.4``."""
    parts = []
    for name, (low, high) in bounds.items():
        if np.isfinite(low) and np.isfinite(high):
            parts.append(f"{low:.4g} < {name} <= {high:.4g}")
        elif np.isfinite(low):
            parts.append(f"{name} > {low:.4g}")
        else:
            parts.append(f"{name} <= {high:.4g}")
    return " and ".join(parts) or "(all runs)"


def cart(runs: pd.DataFrame, parameters: list[str], happens: pd.Series, max_depth: int = 3) -> pd.DataFrame:
    """A classification tree (CART) of where the outcome happens: one row per leaf with its rule in the
    parameters' own units, the runs it holds, the share where the outcome happens (density) and the
    share of all such runs it catches (coverage), densest first."""
    from sklearn.tree import DecisionTreeClassifier

    x = runs[parameters].astype(float).to_numpy()
    y = happens.to_numpy(bool)
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(20, len(y) // 200), random_state=0).fit(
        x, y
    )
    structure, leaves = tree.tree_, tree.apply(x)
    bounds: dict[int, dict[str, tuple[float, float]]] = {0: {}}
    for node in range(structure.node_count):
        left, right = structure.children_left[node], structure.children_right[node]
        if left >= 0:
            name, cut = parameters[structure.feature[node]], float(structure.threshold[node])
            low, high = bounds[node].get(name, (-np.inf, np.inf))
            bounds[left] = bounds[node] | {name: (low, min(high, cut))}
            bounds[right] = bounds[node] | {name: (max(low, cut), high)}
    total = max(int(y.sum()), 1)
    rows = [
        {
            "rule": simplified_rule(bounds[leaf]),
            "runs": int((leaves == leaf).sum()),
            "density": float(y[leaves == leaf].mean()),
            "coverage": float(y[leaves == leaf].sum() / total),
        }
        for leaf in np.unique(leaves)
    ]
    return pd.DataFrame(rows).sort_values(["density", "coverage"], ascending=False, ignore_index=True)
