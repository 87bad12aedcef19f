"""What an update reports: the headline and the questions before and after the evidence, what it taught about the
numbers and the structures, the observations applied; written to a folder with each run's weight."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.summary import headline
from sim.experiments.folders import staged
from sim.updating.posterior import parameter_shifts, structure_shifts
from sim.updating.questions import Question, dated_forecast
from sim.updating.update import Update, before_and_after, observation_table


def update_tables(update: Update, questions: list[Question]) -> dict[str, pd.DataFrame]:
    """The update's tables, by name (``headline``, ``questions``, ``parameters``, ``structures``, ``observations``)."""
    scenario, weights, runs = update.scenario, update.weights, update.runs
    choices = {name: list(choice.options) for name, choice in scenario.structure.items()}
    return {
        "headline": before_and_after(headline(runs, scenario), headline(runs, scenario, weights)),
        "questions": before_and_after(
            dated_forecast(questions, runs, scenario), dated_forecast(questions, runs, scenario, weights)
        ),
        "parameters": parameter_shifts(runs, update.manifest.parameters, weights),
        "structures": structure_shifts(runs, choices, weights),
        "observations": observation_table(update),
    }


def write_update(out: Path, update: Update, tables: dict[str, pd.DataFrame]) -> None:
    """The tables as CSV and each run's log-likelihood and weight as Parquet, all in ``out`` or none."""
    with staged(out) as stage:
        for name, table in tables.items():
            table.to_csv(stage / f"{name}.csv")
        pd.DataFrame(
            {
                "run_id": update.runs["run_id"],
                "log_likelihood": update.log_likelihood.sum(axis=1),
                "weight": update.weights,
            }
        ).to_parquet(stage / "weights.parquet", index=False)
