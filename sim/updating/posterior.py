"""Conditioning an ensemble on evidence: importance weights, effective sample size, and what the news
taught (how each parameter's and structure's distribution shifted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

LOW_ESS = 500
"""Below this effective sample size a probability's standard error can exceed two points: the update warns."""


def importance_weights(log_likelihood: np.ndarray, prior_weights: np.ndarray | None = None) -> np.ndarray:
    """Normalised weights ``w_r = p_r L_r / sum p L`` from per-run log likelihoods (the prior weights ``p``
    are 1 for a plain ensemble); all zeros when no run is compatible with the evidence."""
    log_likelihood = np.asarray(log_likelihood, float)
    finite = np.isfinite(log_likelihood)
    if not finite.any():
        return np.zeros(len(log_likelihood))
    scaled = np.where(finite, np.exp(log_likelihood - log_likelihood[finite].max()), 0.0)
    if prior_weights is not None:
        scaled = scaled * np.asarray(prior_weights, float)
    total = scaled.sum()
    return scaled / total if total > 0 else scaled


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (the smallest value whose cumulative weight reaches ``q``)."""
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(np.asarray(weights, float)[order])
    return float(np.asarray(values, float)[order][min(np.searchsorted(cumulative, q * cumulative[-1]), len(order) - 1)])


def parameter_shifts(runs: pd.DataFrame, parameters: list[str], weights: np.ndarray) -> pd.DataFrame:
    """Per uncertain number: prior and posterior mean, the shift in prior standard deviations, and the posterior's
    90% interval; ranked by the size of the shift. Structural choices are left to :func:`structure_shifts`."""
    rows = []
    for path in (p for p in parameters if not p.startswith("structure.")):
        values = runs[path].to_numpy(float)
        prior_mean, spread = float(values.mean()), float(values.std())
        posterior_mean = float(np.sum(weights * values))
        rows.append(
            {
                "parameter": path,
                "prior_mean": prior_mean,
                "posterior_mean": posterior_mean,
                "shift_in_sd": (posterior_mean - prior_mean) / spread if spread > 0 else 0.0,
                "posterior_lo": weighted_quantile(values, weights, 0.05),
                "posterior_hi": weighted_quantile(values, weights, 0.95),
            }
        )
    table = pd.DataFrame(
        rows, columns=["parameter", "prior_mean", "posterior_mean", "shift_in_sd", "posterior_lo", "posterior_hi"]
    )
    return table.reindex(table["shift_in_sd"].abs().sort_values(ascending=False, kind="stable").index).reset_index(
        drop=True
    )


def structure_shifts(runs: pd.DataFrame, structure: dict[str, list[str]], weights: np.ndarray) -> pd.DataFrame:
    """Per structural choice and option (``structure``: choice name -> option names): the share of runs that drew it,
    before and after the evidence, ranked by the size of the change."""
    rows = []
    for name, options in structure.items():
        codes = np.rint(runs[f"structure.{name}"].to_numpy(float)).astype(int)
        for code, option in enumerate(options):
            drew = codes == code
            rows.append(
                {
                    "choice": name,
                    "option": option,
                    "prior_share": float(drew.mean()),
                    "posterior_share": float(weights[drew].sum()),
                }
            )
    table = pd.DataFrame(rows, columns=["choice", "option", "prior_share", "posterior_share"])
    table["change"] = table["posterior_share"] - table["prior_share"]
    return table.reindex(table["change"].abs().sort_values(ascending=False, kind="stable").index).reset_index(drop=True)


def ess_warning(ess: float, runs: int, threshold: float = LOW_ESS) -> str | None:
    """A warning when the effective sample size is too small to trust the posterior, or None."""
    if ess >= threshold:
        return None
    return (
        f"warning: the effective sample size is {ess:,.0f} of {runs:,} runs (below {threshold:,.0f}): the evidence "
        "leaves few runs, so the posterior is rough; run more runs, or add --resample to draw a fresh ensemble from it"
    )
