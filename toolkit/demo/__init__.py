"""Synthetic data: the demo register and the benchmark generator's vocabulary (no real person)."""
