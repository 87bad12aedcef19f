"""Experiments: the run plan, the runner and its pool, the results store, designs and sensitivity."""
