"""The launched night's console: a line per step start and end with rows, failed checks named."""

import re

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    Definitions,
    MaterializeResult,
    asset,
    asset_check,
)

from dagster_project.defs.console import PROGRESS_EXTRA, progress_logger

LINE = re.compile(r"^\d\d:\d\d:\d\d  (?P<text>.*)$")


@asset
def toy_orders(context: AssetExecutionContext) -> MaterializeResult:
    context.log.info("a detail the console leaves to the event log")
    context.log.info("toy_orders: 2 of 4 files", extra={PROGRESS_EXTRA: True})
    return MaterializeResult(metadata={"rows_read": 1234})


@asset_check(asset=toy_orders, blocking=True)
def toy_orders_gx_amounts() -> AssetCheckResult:
    return AssetCheckResult(passed=False, severity=AssetCheckSeverity.ERROR)


@asset(deps=[toy_orders])
def toy_mart() -> None:
    return None


def console_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    defs = Definitions(
        assets=[toy_orders, toy_mart],
        asset_checks=[toy_orders_gx_amounts],
        loggers={"progress": progress_logger},
    )
    job = defs.resolve_implicit_global_asset_job_def()
    job.execute_in_process(run_config={"loggers": {"progress": {}}}, raise_on_error=False)
    lines = capsys.readouterr().out.splitlines()
    matched = [LINE.match(line) for line in lines]
    assert all(matched), lines
    return [match["text"] for match in matched if match]


def test_each_step_has_a_start_and_an_end_line_with_its_rows(capsys):
    lines = console_lines(capsys)
    assert lines[0] == "start  toy_orders"
    assert lines[1].strip() == "toy_orders: 2 of 4 files"
    assert re.fullmatch(r"done   toy_orders \(1,234 rows, [0-9.]+ s\)", lines[2])
    # Messages without the progress mark stay in the event log.
    assert not any("a detail" in line for line in lines)


def test_a_failed_blocking_check_is_named_and_its_downstream_step_reported_skipped(capsys):
    lines = console_lines(capsys)
    assert "  check failed (error): toy_orders toy_orders_gx_amounts" in lines
    assert (
        "FAILED toy_orders_toy_orders_gx_amounts: 1 blocking asset check failed with ERROR "
        "severity:" in lines
    )
    assert "skipped toy_mart (an upstream step or blocking check failed)" in lines
    assert "start  toy_mart" not in lines
    # A check step has no start or done line of its own: its outcome line stands for it.
    assert not any("_gx_" in line for line in lines if line.startswith(("start", "done")))
