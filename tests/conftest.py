"""Fixtures shared by the tests (helpers to import live in helpers.py)."""

from __future__ import annotations

import pytest
import yaml
from helpers import ARTICLE


@pytest.fixture
def article_raw() -> dict:
    """The article's scenario as a plain mapping, to change in a test."""
    raw = yaml.safe_load(ARTICLE.read_text())
    raw["document"] = str((ARTICLE.parent / raw["document"]).resolve())
    return raw
