"""Forecasts that learn from the news: evidence files, conditioning a finished ensemble on them (importance
weights, effective sample size, what the news taught), a fresh ensemble from the posterior, dated forecasts,
a forecast log and its comparison with forecasting platforms."""
