"""Independent pandas computations of the marts, written from their documented rules.

The tests compare the dbt marts with these and the benchmark times them, so nothing here reuses
the SQL: order cleaning, RFM, cohorts, identity components, attribution, the CRM rules and the
inputs of the CLV holdout test and the churn model are derived again, with the thresholds read
from the vars of dbt_project.yml.
"""

from . import attribution, clv_features
from .cohorts import COHORT_COLUMNS, cohort_retention
from .crm import churn_warnings, segments, tier_changes
from .identity import connected_components, customer_key, sort_key
from .orders import as_of_date, orders_from_raw, revenue_orders
from .project_vars import project_var, revenue_statuses
from .rfm import RFM_COLUMNS, ntile, rfm

__all__ = [
    "attribution",
    "clv_features",
    "COHORT_COLUMNS",
    "RFM_COLUMNS",
    "as_of_date",
    "churn_warnings",
    "cohort_retention",
    "connected_components",
    "customer_key",
    "ntile",
    "orders_from_raw",
    "project_var",
    "revenue_orders",
    "revenue_statuses",
    "rfm",
    "segments",
    "sort_key",
    "tier_changes",
]
