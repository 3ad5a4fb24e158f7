"""Benchmarks that print tables (``make bench``); never part of the pass/fail test run."""
