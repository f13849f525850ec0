"""Benchmarks: one module a suite, each writing its table to benchmarks/results/."""
