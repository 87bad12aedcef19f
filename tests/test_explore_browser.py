"""The explorer in a real browser: ``sim explore`` serves the page, a moved control redraws the charts,
and the save button writes a variant that loads."""

from __future__ import annotations

import importlib.util
import re

import pytest
from helpers import ARTICLE

from sim import load_scenario
from sim.explorer.headless import explorer_page, find_chromium, move_control, running_explorer

CHROMIUM = find_chromium()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium (apt-get install chromium)")
@pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None, reason="Playwright is not installed (pip install playwright)"
)
def test_moving_a_control_redraws_the_charts_and_the_setting_saves_as_a_variant(tmp_path):
    copy = tmp_path / ARTICLE.name
    copy.write_text(ARTICLE.read_text())
    with running_explorer(copy, runs=2000) as (url, _), explorer_page(url, CHROMIUM) as page:
        charts = page.locator("img.sim-chart")
        assert charts.count() == 3  # deal (and zone of agreement) curves, outcome classes, settlements
        before = [charts.nth(k).screenshot() for k in range(3)]
        headline = page.locator(".sim-table-headline").inner_text()
        assert "+0.0%" in headline and "Setting 1:" in page.locator(".sim-status").inner_text()

        for group in ("ukraine", "russia", "front", "events", "model"):  # showing the sliders changes nothing
            page.get_by_text(group, exact=True).click()
        page.wait_for_timeout(2000)
        assert "Setting 1:" in page.locator(".sim-status").inner_text()

        move_control(page, "front", "p advance")

        assert "Setting 2:" in page.locator(".sim-status").inner_text()
        assert page.locator(".v-input", has_text=re.compile("^p advance: 0.45 to 0.8$")).count() == 1
        after = [charts.nth(k).screenshot() for k in range(3)]
        assert all(a != b for a, b in zip(before, after, strict=True)), "every chart redraws with the new setting"
        assert page.locator(".sim-table-headline").inner_text() != headline

        page.locator(".sim-save").click()
        page.wait_for_selector(".sim-saved")
        assert "Saved" in page.locator(".sim-saved").inner_text()
    variant = load_scenario(tmp_path / "ukraine_paris_2026_explored_1.yaml")
    assert (variant.front.p_advance.low, variant.front.p_advance.high) == (0.45, 0.8)
    assert variant.front.p_advance.source.startswith("variant: set in the explorer")
