"""The explorer: move a scenario's assumptions and see the ensemble's outcomes redrawn.

Settings -> scenario (:mod:`~sim.explorer.controls`) -> ensemble -> figures and tables
(:mod:`~sim.explorer.views`); a setting saved as a variant file (:mod:`~sim.explorer.variant`); the page
itself (:mod:`~sim.explorer.app`, Solara) in a browser (:func:`serve`) or a notebook (:func:`explore`).
"""

from __future__ import annotations

import os
import sysconfig
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.experiments.run_settings import run_settings
from sim.scenario.loading import load_scenario
from sim.scenario.schema import Scenario

INSTALL_HINT = "the explorer needs Solara: python -m pip install -e '.[explore]'"


def explore(
    scenario: Scenario | str | Path, runs: int = 10_000, seed: int | None = None, progress: bool | None = None
) -> Any:
    """The explorer as an element that displays in a notebook (the scenario, or the path of its file), its baseline
    ensemble run first (``progress``: a bar; None: tqdm's own choice, a bar in a notebook)."""
    from sim.explorer.app import Explorer
    from sim.explorer.views import run_ensemble, start_workers

    start_workers()
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    _, seed = run_settings(scenario, seed=seed)
    baseline = run_ensemble(scenario, runs, seed, progress=progress)
    return Explorer(scenario=scenario, runs=runs, seed=seed, baseline=baseline)


def serve(
    scenario: Scenario,
    port: int,
    runs: int = 10_000,
    seed: int | None = None,
    progress: bool | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Run the baseline ensemble (``progress``: a bar, None: in a terminal), then serve the explorer on
    http://127.0.0.1:``port`` until interrupted (Solara on uvicorn), calling ``on_ready`` with its address once the
    server listens."""
    from sim.explorer.views import run_ensemble, start_workers

    _, seed = run_settings(scenario, seed=seed)
    start_workers()
    baseline = run_ensemble(scenario, runs, seed, progress=progress)
    os.environ["SOLARA_APP"] = "sim.explorer.app"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    assets = Path(sysconfig.get_path("data")) / "share" / "solara" / "cdn"  # solara-assets, wherever pip put them
    if assets.is_dir():
        os.environ.setdefault("SOLARA_ASSETS_PROXY_CACHE_DIR", str(assets))
    import uvicorn

    from sim.explorer import app

    # The page is served over plain HTTP on the loopback address, where Solara's cookie warning does not apply.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https", category=UserWarning)
    app._served.update(scenario=scenario, runs=runs, seed=seed, baseline=baseline)
    config = uvicorn.Config("solara.server.starlette:app", host="127.0.0.1", port=port, log_level="warning")

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: list | None = None) -> None:
            await super().startup(sockets)
            if self.started and on_ready is not None:
                on_ready(f"http://127.0.0.1:{port}/")

    Announcing(config).run()
