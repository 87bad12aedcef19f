"""Sampling: the seed tree and the draws of a scenario's uncertain numbers."""
