"""The text each backtest of :data:`sim.registry.backtests.BACKTESTS` reports (``sim backtest NAME`` prints it)."""

from __future__ import annotations

from pathlib import Path


def deu_report(data: Path | None, _top: int) -> str:
    """The models' mean absolute errors on the EU's legislative decisions (DEU II + III)."""
    from sim.backtests import deu

    table = deu.load_deu(data)
    errors = deu.mean_absolute_errors(table).to_string(float_format=lambda v: f"{v:.2f}")
    return "\n".join(
        [
            f"DEU II + III: {len(table.outcome)} issues with an outcome, {len(table.actors)} actors",
            "Mean absolute error against the actual outcome (0-100 scale):",
            errors,
        ]
    )


def ktab_report(data: Path | None, _top: int) -> str:
    """The compromise model per dimension of each of KTAB's input files."""
    from sim.backtests import ktab

    files = ktab.ktab_files(data)
    lines = ["KTAB inputs: the compromise model (influence x salience weighted mean) per dimension"]
    for file in files:
        table = ktab.load_ktab(file)
        means = ", ".join(f"{name} {value:.2f}" for name, value in ktab.weighted_means(table).items())
        lines.append(f"  {file.name}: {table.title}, {len(table.actors)} actors: {means}")
    return "\n".join(lines)


def csis_report(data: Path | None, top: int) -> str:
    """CSIS's preset drafts scored per actor, and the ``top`` packages with the widest margin over every threshold."""
    from sim.backtests import csis

    items = csis.load_csis(data)
    lines = [
        "CSIS Futures Lab items: preset drafts, mean satisfaction per actor (thresholds "
        + ", ".join(f"{a} {t:g}" for a, t in zip(csis.ACTORS, items.thresholds, strict=True))
        + ")"
    ]
    for name, draft in items.presets.items():
        scores = csis.draft_scores(items, draft)
        below = [a for a, v in scores.items() if v < items.thresholds[list(csis.ACTORS).index(a)]]
        lines.append(
            f"  preset {name}: "
            + ", ".join(f"{a} {v:.2f}" for a, v in scores.items())
            + (f"; below threshold: {', '.join(below)}" if below else "; clears every threshold")
        )
    packages = csis.acceptable_packages(csis.as_scenario(items))
    ranked = csis.rank_by_margin(items, packages)
    lines += [
        f"Packages (without exclusive pairs) that clear every actor's threshold: {len(packages):,} of "
        f"{2 ** len(items.titles) - 1:,}",
        "Those with the widest margin (smallest lead of any actor over its threshold):",
        ranked.head(top).to_string(index=False, float_format=lambda v: f"{v:.2f}"),
    ]
    return "\n".join(lines)
