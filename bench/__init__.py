"""Benchmarks; run `.venv/bin/python -m bench.turns` (see bench/README.md). The shared load generator is bench/harness.py,
its processes bench/processes.py, its checks bench/checks.py; the stand-ins for Teams are loopback/."""
