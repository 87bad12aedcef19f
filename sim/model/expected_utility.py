"""Bueno de Mesquita's expected-utility model of group decisions, as specified by Scholz, Calbert &
Smith (2011), one issue at a time and vectorised over runs.

Each round: every actor's risk exponent follows from how exposed its position is to challenges; every
pair of actors weighs challenging each other (probabilities of success from the others' weighted
votes, utilities of success, failure and the status quo); each actor then takes the best offer made
to it (losing a confrontation, a compromise, or capitulating) and all move at once.

The published specification leaves some choices open; each is an option of :class:`EUOptions`, with the
choice that reproduces the published runs as its default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from sim.model.inputs import ModelInputs
    from sim.scenario.schema import ExpectedUtilitySettings


@dataclass(frozen=True)
class EUOptions:
    """The model's open choices, with the published ones as defaults."""

    rounds: int = 10
    q: float = 1.0
    """Chance the status quo persists if nobody challenges (published runs: 1, so ``t`` plays no role)."""
    t: float = 1.0
    """With ``q < 1``: chance that the status quo otherwise gets better rather than worse for the challenger."""
    probability_denominator: Literal["all_pairs", "pair"] = "all_pairs"
    """``all_pairs``: votes summed over every voter and every pair of positions (the published code);
    ``pair``: over the two positions in question only (so P(i beats j) + P(j beats i) = 1)."""
    compromise_ranking: Literal["weighted_position", "smallest_move"] = "weighted_position"
    """Among compromises offered to an actor: the one whose expected-utility-weighted position is lowest
    (the published code), or the one that moves the actor least (the paper's text)."""


def weighted_mean(position: np.ndarray, capability: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """Capability x salience weighted mean of positions ``[actors, runs]`` (absent actors: NaN)."""
    weight = np.nan_to_num(capability * salience) * ~np.isnan(position)
    return (weight * np.nan_to_num(position)).sum(axis=0) / weight.sum(axis=0)


def median_voter(position: np.ndarray, capability: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """The position that beats every other in pairwise capability x salience weighted votes
    (the one with the best worst margin where none beats all)."""
    present = ~np.isnan(position)
    x = np.nan_to_num(position)
    weight = np.where(present, capability * salience, 0.0)
    # margin[p, q, runs]: weighted votes for candidate p over candidate q.
    distance = np.abs(x[:, None, :] - x[None, :, :])  # [voter, candidate, runs]
    margin = (weight[:, None, None, :] * (distance[:, None, :, :] - distance[:, :, None, :])).sum(axis=0)
    margin = np.where(present[None, :, :], margin, np.inf)
    worst = np.where(present, margin.min(axis=1), -np.inf)
    return np.take_along_axis(x, worst.argmax(axis=0)[None, :], axis=0)[0]


def _status_quo(r: np.ndarray, distance: np.ndarray, options: EUOptions) -> np.ndarray:
    quo = 2 - 4 * 0.5**r
    if options.q == 1.0:
        return quo
    better = 2 - 4 * (0.5 - 0.25 * distance) ** r
    worse = 2 - 4 * (0.5 + 0.25 * distance) ** r
    return options.q * quo + (1 - options.q) * (options.t * better + (1 - options.t) * worse)


def _probabilities(x, span, present, influence, risk, options: EUOptions) -> np.ndarray:
    """P[a, b]: chance that a's position prevails over b's, from every voter's weighted vote."""
    distance = np.minimum(np.abs(x[:, None, :] - x[None, :, :]) / span, 1.0)  # [voter, position, runs]
    felt = distance ** risk[:, None, :]
    votes = influence[:, None, None, :] * (felt[:, None, :, :] - felt[:, :, None, :])  # [voter, a, b, runs]
    pair_mask = present[None, :, None, :] & present[None, None, :, :] & present[:, None, None, :]
    votes = np.where(pair_mask, votes, 0.0)
    support = np.maximum(votes, 0.0).sum(axis=0)
    if options.probability_denominator == "all_pairs":
        total = np.abs(votes).sum(axis=(0, 1, 2))[None, None, :]
    else:
        total = np.abs(votes).sum(axis=0)
    same = np.isclose(x[:, None, :], x[None, :, :])
    return np.where((total > 0) & ~same, support / np.where(total > 0, total, 1.0), 0.0)


def _challenges(x, span, salience, probability, risk, options: EUOptions):
    """From each actor i's own view (its risk exponent): EU of i challenging j, and of j challenging i."""
    distance = np.minimum(np.abs(x[:, None, :] - x[None, :, :]) / span, 1.0)  # [i, j, runs]
    r = risk[:, None, :]
    success = 2 - 4 * (0.5 - 0.5 * distance) ** r
    failure = 2 - 4 * (0.5 + 0.5 * distance) ** r
    quo = _status_quo(r, distance, options)
    s_j, s_i = salience[None, :, :], salience[:, None, :]
    p_ij, p_ji = probability, np.swapaxes(probability, 0, 1)
    i_on_j = s_j * (p_ij * success + (1 - p_ij) * failure) + (1 - s_j) * success - quo
    j_on_i = s_i * (p_ji * success + (1 - p_ji) * failure) + (1 - s_i) * success - quo
    return i_on_j, j_on_i


def _risk_exponents(x, span, present, influence, salience, options: EUOptions) -> np.ndarray:
    """Risk exponents from each actor's danger: the sum of the others' expected utilities of challenging it."""
    neutral = np.ones_like(x)
    probability = _probabilities(x, span, present, influence, neutral, options)
    i_on_j, _ = _challenges(x, span, salience, probability, neutral, options)
    pair = present[:, None, :] & present[None, :, :] & ~np.eye(len(x), dtype=bool)[:, :, None]
    danger = np.where(pair, i_on_j, 0.0).sum(axis=0)
    high = np.where(present, danger, -np.inf).max(axis=0)
    low = np.where(present, danger, np.inf).min(axis=0)
    spread = high - low
    acceptance = np.where(spread > 0, (2 * danger - high - low) / np.where(spread > 0, spread, 1.0), 0.0)
    return np.where(present, (1 - acceptance / 3) / (1 + acceptance / 3), 1.0)


def _best_offers(x, present, i_on_j, j_on_i, options: EUOptions) -> np.ndarray:
    """Each actor's new position: the best offer made to it, or where it stands if none."""
    n = len(x)
    x_i, x_j = x[:, None, :], x[None, :, :]
    valid = present[:, None, :] & present[None, :, :] & ~np.isclose(x_i, x_j) & ~np.eye(n, dtype=bool)[:, :, None]
    confront = valid & (j_on_i > i_on_j) & (i_on_j > 0)
    yields = valid & (j_on_i > 0) & (i_on_j < 0)
    compromise = yields & (j_on_i > np.abs(i_on_j))
    capitulate = yields & (j_on_i < np.abs(i_on_j))
    with np.errstate(divide="ignore", invalid="ignore"):
        compromised = x_i + (x_j - x_i) * np.abs(i_on_j / j_on_i)
        if options.compromise_ranking == "weighted_position":
            compromise_key = (np.abs(i_on_j) * x_i + np.abs(j_on_i) * x_j) / (np.abs(i_on_j) + np.abs(j_on_i))
        else:
            compromise_key = np.abs(compromised - x_i)
    move = np.abs(x_j - x_i)
    new = x.copy()
    settled = np.zeros_like(present)
    for kind, target, key in (
        (confront, x_j, move),
        (compromise, compromised, compromise_key),
        (capitulate, x_j, move),
    ):
        ranked = np.where(kind, key, np.inf)
        choice = ranked.argmin(axis=1)
        has = kind.any(axis=1) & ~settled
        chosen = np.take_along_axis(np.broadcast_to(target, kind.shape), choice[:, None, :], axis=1)[:, 0, :]
        new = np.where(has, chosen, new)
        settled |= has
    return new


def expected_utility_rounds(
    position: np.ndarray, capability: np.ndarray, salience: np.ndarray, options: EUOptions = EUOptions()
) -> np.ndarray:
    """Positions ``[rounds + 1, actors, runs]`` from the start through ``options.rounds`` rounds.

    ``position``, ``capability`` and ``salience`` are ``[actors, runs]``; an absent actor has NaN position.
    """
    present = ~np.isnan(position)
    x = np.nan_to_num(position)
    influence = np.where(present, capability * salience, 0.0)
    salience = np.where(present, salience, 0.0)
    high = np.where(present, x, -np.inf).max(axis=0)
    low = np.where(present, x, np.inf).min(axis=0)
    span = np.where(high > low, high - low, 1.0)[None, None, :]
    history = [np.where(present, x, np.nan)]
    for _ in range(options.rounds):
        risk = _risk_exponents(x, span, present, influence, salience, options)
        probability = _probabilities(x, span, present, influence, risk, options)
        i_on_j, j_on_i = _challenges(x, span, salience, probability, risk, options)
        x = _best_offers(x, present, i_on_j, j_on_i, options)
        history.append(np.where(present, x, np.nan))
    return np.stack(history)


def expected_utility_forecast(inputs: ModelInputs, settings: ExpectedUtilitySettings) -> np.ndarray:
    """The model's forecast per issue and run ``[issues, runs]`` (normalised scales), every actor taking part.

    Saliences are read as chances of resisting a challenge, so each issue's are scaled into [0, 1].
    """
    options = EUOptions(
        settings.rounds, settings.q, settings.t, settings.probability_denominator, settings.compromise_ranking
    )
    forecasts = []
    for j in range(len(inputs.issues)):
        salience = inputs.raw_salience[:, j]
        salience = salience / np.maximum(salience.max(axis=0, keepdims=True), 1.0)
        capability = inputs.capability[:, j]
        final = expected_utility_rounds(inputs.position[:, j], capability, salience, options)[-1]
        summarise = weighted_mean if settings.forecast == "mean" else median_voter
        forecasts.append(summarise(final, capability, salience))
    return np.stack(forecasts)
