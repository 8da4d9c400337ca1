"""Benchmarks; run `.venv/bin/python -m bench.survey_actions` (see bench/README.md)."""
