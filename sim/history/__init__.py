"""How wars and peace agreements really end: the data, reference classes, a calibrated breakdown
hazard, and historical negotiations scored against their outcomes."""
