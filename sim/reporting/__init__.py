"""Reporting: plots, the figure catalogue and the HTML report."""
