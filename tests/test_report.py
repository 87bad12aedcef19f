"""The HTML report: self-contained, and every figure shows in a real browser."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile

import pytest
from helpers import ARTICLE

from sim.cli import main
from sim.explorer.headless import CHROMIUM_FLAGS

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report") / "runs"
    assert main(["run", str(ARTICLE), "--runs", "3000", "--out", str(folder), "--quiet"]) == 0
    assert main(["report", str(folder), "--history-runs", "300"]) == 0
    return folder / "report.html"


@pytest.mark.slow
def test_report_is_self_contained(report):
    page = report.read_text()
    for heading in [
        "Scenario and provenance",
        "Headline probabilities",
        "Distributions",
        "Drivers",
        "Discovered region (PRIM)",
        "compromise baseline",
        "Manifest",
    ]:
        assert heading in page, heading
    images = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(images) >= 15 and all(src.startswith("data:image/png;base64,") for src in images)
    assert not re.search(r'(src|href)="https?://', page), "nothing may be fetched when the report opens"


def test_report_reads_well(report):
    page = report.read_text()
    assert re.search(r"Key findings.</strong> Over 3,000 runs, a deal comes within 36 months in \d+\.\d%", page)
    assert "<th></th>" not in page, "no blank header row for an index's name"
    captions = re.findall(r"<figcaption>([^<]+)</figcaption>", page)
    assert captions and all(" " in c and c.endswith(".") for c in captions), "captions are sentences, not file names"
    assert re.search(r"<td>deal within 6 months</td>\s*<td>\d+\.\d%</td>\s*<td>\d+\.\d\d%</td>", page)


def _flags() -> list[str]:
    return [
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tempfile.mkdtemp()}",
        "--virtual-time-budget=10000",
    ]


def _dom(page) -> str:
    return subprocess.run(
        [BROWSER, *_flags(), "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout


@pytest.mark.slow
@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium (apt-get install chromium)")
def test_report_renders_in_a_headless_browser_with_every_figure(report):
    flags = _flags()
    dom = _dom(report)
    shown = re.search(r'data-figures-shown="(\d+)"', dom)
    assert shown is not None, "the page did not finish loading"
    assert int(shown.group(1)) == len(re.findall(r"<img ", report.read_text()))
    screenshot = report.with_suffix(".png")
    subprocess.run(
        [BROWSER, *flags, "--window-size=1200,2000", f"--screenshot={screenshot}", report.as_uri()],
        capture_output=True,
        timeout=120,
    )
    assert screenshot.stat().st_size > 50_000


ATTACKS = {
    "code_version": "</pre><script>document.body.dataset.pwned = 'script';</script><pre>",
    "versions": {"numpy": "<img src=x onerror=\"document.body.dataset.pwned = 'img'\">"},
    "timings": {"jobs": "<svg onload=\"document.body.dataset.pwned = 'svg'\"></svg>"},
    "until_ci": "<iframe srcdoc=\"<script>parent.document.body.dataset.pwned = 'frame'</script>\"></iframe>",
}


@pytest.mark.slow
@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium (apt-get install chromium)")
def test_a_report_from_a_doctored_manifest_runs_no_script(report, tmp_path):
    """Results folders are sent around: every manifest value the report shows is text, never markup."""
    folder = tmp_path / "doctored"
    shutil.copytree(report.parent, folder)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest.update(ATTACKS)
    manifest["scenario"]["changes"] = {"<script>document.body.dataset.pwned = 'key'</script>": 1}
    manifest["scenario"]["files"][0]["path"] = "<body onload=\"document.body.dataset.pwned = 'file'\">"
    manifest_path.write_text(json.dumps(manifest))
    assert main(["report", str(folder), "--history-runs", "0"]) == 0
    page = folder / "report.html"
    dom = _dom(page)
    assert "data-figures-shown" in dom, "the page did not finish loading"
    assert "data-pwned" not in dom
    assert "&lt;script&gt;document.body.dataset.pwned" in page.read_text()
    unescaped = tmp_path / "unescaped.html"  # the same values written raw do run: the check can fail
    unescaped.write_text(f"<!DOCTYPE html><html><body><pre>{ATTACKS['code_version']}</pre></body></html>")
    assert 'data-pwned="script"' in _dom(unescaped)


def test_a_report_replaces_only_an_html_file(report, tmp_path, capsys):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: mine\n")
    assert main(["report", str(report.parent), "--history-runs", "0", "--out", str(scenario)]) == 2
    assert f"--out: {scenario}: exists and is not a .html file" in capsys.readouterr().err
    assert scenario.read_text() == "name: mine\n"
    earlier = tmp_path / "earlier.html"
    earlier.write_text("<p>an earlier report</p>")
    assert main(["report", str(report.parent), "--history-runs", "0", "--out", str(earlier)]) == 0
    assert earlier.read_text().startswith("<!DOCTYPE html>")
