"""Backtests: the toolkit's models against real decisions with known outcomes."""
