"""The explorer: move a scenario's assumptions and see the ensemble's outcomes redrawn.

Settings -> scenario (:mod:`~sim.explorer.controls`) -> ensemble -> figures and tables
(:mod:`~sim.explorer.views`); a setting saved as a variant file (:mod:`~sim.explorer.variant`); the page
itself (:mod:`~sim.explorer.app`, Solara) in a browser (:func:`serve`) or a notebook (:func:`explore`).
"""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path
from typing import Any

from sim.scenario import Scenario, load_scenario

INSTALL_HINT = "the explorer needs Solara: python -m pip install -e '.[explore]'"


def explore(scenario: Scenario | str | Path, runs: int = 10_000, seed: int | None = None) -> Any:
    """The explorer as an element that displays in a notebook (the scenario, or the path of its file)."""
    from sim.explorer.app import Explorer
    from sim.explorer.views import start_workers

    start_workers()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return Explorer(scenario=scenario, runs=runs, seed=seed)


def serve(scenario: Scenario, port: int, runs: int = 10_000, seed: int | None = None) -> None:
    """Serve the explorer on http://127.0.0.1:``port`` until interrupted (Solara on uvicorn)."""
    os.environ["SOLARA_APP"] = "sim.explorer.app"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    assets = Path(sysconfig.get_path("data")) / "share" / "solara" / "cdn"  # solara-assets, wherever pip put them
    if assets.is_dir():
        os.environ.setdefault("SOLARA_ASSETS_PROXY_CACHE_DIR", str(assets))
    import uvicorn

    from sim.explorer import app
    from sim.explorer.views import start_workers

    start_workers()
    app._served.update(scenario=scenario, runs=runs, seed=seed)
    config = uvicorn.Config("solara.server.starlette:app", host="127.0.0.1", port=port, log_level="warning")
    uvicorn.Server(config).run()
