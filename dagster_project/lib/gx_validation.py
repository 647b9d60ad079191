"""Great Expectations (GX Core 1.x) validation of DataFrames against suites kept as JSON.

Suites live in ``expectations/<name>.json`` as ``{"name": ..., "expectations": [{"type": ...,
"kwargs": ..., "meta": {"severity": "error" | "warn"}}]}``. Each expectation's severity decides
whether its failure blocks downstream assets (error) or is only reported (warn, the default for
nothing: an expectation without a severity counts as an error).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
ERROR = "error"
WARN = "warn"


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    severity: str
    success: bool
    unexpected_count: int
    element_count: int


@dataclass(frozen=True)
class SuiteOutcome:
    suite_name: str
    row_count: int
    outcomes: tuple[ExpectationOutcome, ...]

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    @property
    def success(self) -> bool:
        return not self.failed

    @property
    def has_error_failure(self) -> bool:
        return any(outcome.severity == ERROR for outcome in self.failed)

    @property
    def unexpected_count(self) -> int:
        return sum(outcome.unexpected_count for outcome in self.outcomes)

    def with_errors_as_warnings(self) -> SuiteOutcome:
        """The same results with every error-severity expectation reported as a warning."""
        return replace(
            self,
            outcomes=tuple(replace(outcome, severity=WARN) for outcome in self.outcomes),
        )


def load_suite_json(name: str, expectations_dir: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    path = expectations_dir / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"expectation suite {name!r} not found at {path}")
    suite = json.loads(path.read_text(encoding="utf-8"))
    for expectation in suite["expectations"]:
        severity = expectation.get("meta", {}).get("severity", ERROR)
        if severity not in (ERROR, WARN):
            raise ValueError(
                f"suite {name!r}: severity must be 'error' or 'warn', got {severity!r}"
            )
    return suite


@cache
def _gx():  # noqa: ANN202 - the module object
    # GX phones home unless told not to; the warehouse must run offline.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    return gx


def validate_dataframe(
    dataframe: pd.DataFrame, suite_name: str, expectations_dir: Path = EXPECTATIONS_DIR
) -> SuiteOutcome:
    """Validate ``dataframe`` against the stored suite and summarise each expectation."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    suite_json = load_suite_json(suite_name, expectations_dir)
    context = gx.get_context(mode="ephemeral")
    # Progress bars flood non-interactive logs (Dagster, CI) with carriage returns.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas(name="warehouse")
        .add_dataframe_asset(name=suite_name)
        .add_batch_definition_whole_dataframe(name="whole_table")
    )
    suite = context.suites.add(gx.ExpectationSuite(**suite_json))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"validate_{suite_name}", data=batch_definition, suite=suite)
    )
    result = validation.run(batch_parameters={"dataframe": dataframe})
    outcomes = tuple(_outcome(item, len(dataframe)) for item in result.results)
    logger.info(
        "suite %s: %d expectations, %d failed, %d rows",
        suite_name,
        len(outcomes),
        sum(not outcome.success for outcome in outcomes),
        len(dataframe),
    )
    return SuiteOutcome(suite_name=suite_name, row_count=len(dataframe), outcomes=outcomes)


def _outcome(item: Any, row_count: int) -> ExpectationOutcome:
    config = item.expectation_config
    details = item.result or {}
    return ExpectationOutcome(
        expectation_type=config.type,
        column=config.kwargs.get("column"),
        severity=(config.meta or {}).get("severity", ERROR),
        success=bool(item.success),
        unexpected_count=int(details.get("unexpected_count") or (0 if item.success else 1)),
        element_count=int(details.get("element_count") or row_count),
    )
