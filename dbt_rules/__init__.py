"""dbt-score rules for the warehouse's layer conventions (see conventions.py)."""
