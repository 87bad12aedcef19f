"""Driving the explorer in headless Chromium (Playwright), as its browser test and benchmark do: start
``sim explore`` on a free loopback port, open the page, move a control, wait for the charts to redraw.

Uses the system's Chromium (Debian's ``chromium`` package); nothing is downloaded.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """The path of the system's Chromium, if there is one."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    """Whether something listens on ``port`` of 127.0.0.1."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running_explorer(file: str | Path, runs: int, timeout: float = 120) -> Iterator[tuple[str, int]]:
    """``sim explore FILE`` in a child process on a free port; yields its URL and process id, and stops it
    afterwards."""
    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "sim.cli", "explore", str(file), "--port", str(port), "--runs", str(runs)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + timeout
            while not listening(port):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"sim explore did not start: {log.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.2)
            yield f"http://127.0.0.1:{port}/", server.pid
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextmanager
def explorer_page(url: str, chromium: str, timeout_ms: int = 120_000) -> Iterator[Any]:
    """The explorer's page in headless Chromium, loaded until its first charts show."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(timeout_ms)
            page.goto(url)
            page.wait_for_selector(".sim-status")
            yield page
        finally:
            browser.close()


def move_control(page: Any, group: str, label: str, key: str = "PageDown") -> float:
    """Open ``group``, press ``key`` on the low end of the slider whose label starts ``label:``, and wait until the
    charts are redrawn; returns the seconds from the key press to the redrawn page."""
    slider = page.locator(".v-input", has_text=re.compile(rf"^{re.escape(label)}:")).first
    if not slider.is_visible():
        page.get_by_text(group, exact=True).click()
    status = page.locator(".sim-status").inner_text()
    thumb = slider.locator("[role=slider]").first
    thumb.focus()
    started = time.perf_counter()
    page.keyboard.press(key)
    page.wait_for_function("s => document.querySelector('.sim-status').innerText !== s", arg=status)
    page.wait_for_function("() => [...document.querySelectorAll('img.sim-chart')].every(i => i.complete)")
    return time.perf_counter() - started
