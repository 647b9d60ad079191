"""Command-line entry points, run as ``python -m dagster_project.cli.<name>``."""
