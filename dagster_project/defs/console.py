"""The console a person reads during a launched night: a line per step, progress, failures.

Dagster's own console logger prints every event (about 2,000 lines a night). This logger prints
what a data engineer watches for: when each asset step starts and ends, with its rows and time;
the dbt build's progress; every failed check and failed step; and the run's end. Everything else
stays in the run's event log (the UI, ``make summary``). ``python -m dagster_project.cli.launch``
selects it; ``LOG_LEVEL=DEBUG`` adds Dagster's console logger back.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

from dagster import DagsterEventType, Field, InitLoggerContext, logger

# Run tag the launcher sets: steps that echo a tool's own output (dbt) keep it off the console.
CONSOLE_TAG = "cvw/console"
PROGRESS_CONSOLE = "progress"
# Metadata keys a step reports its rows under: the loader's and dagster-dbt's.
ROW_COUNT_KEYS = ("rows_read", "dagster/row_count", "rows")
STEP_LABELS = {
    "warehouse_dbt_models": "dbt build",
    "prediction_dbt_models": "dbt build of the prediction marts",
}
DBT_STEPS = tuple(STEP_LABELS)
# Dagster's message for a step whose upstream step or blocking check failed.
NOT_EXECUTED_PREFIX = "Dependencies for step"
# ``context.log.info(..., extra={PROGRESS_EXTRA: True})`` reaches this console at INFO.
PROGRESS_EXTRA = "cvw_progress"


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def _seconds(duration_ms: float | None) -> str:
    if duration_ms is None:
        return ""
    seconds = duration_ms / 1000
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


class ProgressHandler(logging.Handler):
    """Turns Dagster's event records into the night's console lines."""

    def __init__(self, stream: IO[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream
        # Rows per step and asset key: a step over a partition range reports the same figures
        # once per partition, so the last report of each key counts, not their sum.
        self.rows_by_step: dict[str, dict[str, int]] = {}
        self.assets_by_step: dict[str, int] = {}

    def write(self, line: str) -> None:
        self.stream.write(f"{_clock()}  {line}\n")
        self.stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        meta: dict[str, Any] | None = getattr(record, "dagster_meta", None)
        event = meta.get("dagster_event") if meta else None
        if event is None:
            text = (meta or {}).get("orig_message") or record.getMessage()
            first_line = text.splitlines()[0] if text else ""
            step = (meta or {}).get("step_key") or "run"
            if first_line.startswith(NOT_EXECUTED_PREFIX):
                self.write(
                    f"skipped {_step_label(step)} (an upstream step or blocking check failed)"
                )
            elif record.levelno >= logging.WARNING:
                self.write(f"  ! {_step_label(step)}: {first_line}")
            elif getattr(record, PROGRESS_EXTRA, False):
                self.write(f"       {first_line}")
            return
        self.render_event(event)

    def render_event(self, event: Any) -> None:
        kind = event.event_type
        step = event.step_key or ""
        data = event.event_specific_data
        if kind == DagsterEventType.STEP_START and not _is_check_step(step):
            self.write(f"start  {_step_label(step)}")
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            self.assets_by_step[step] = self.assets_by_step.get(step, 0) + 1
            metadata = data.materialization.metadata
            for key in ROW_COUNT_KEYS:
                if key in metadata:
                    rows = metadata[key].value
                    if isinstance(rows, int):
                        key = data.materialization.asset_key.to_user_string()
                        self.rows_by_step.setdefault(step, {})[key] = rows
                    break
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            if not data.passed:
                severity = data.severity.value.lower()
                self.write(
                    f"  check failed ({severity}): {data.asset_key.to_user_string()} "
                    f"{data.check_name}"
                )
        elif kind == DagsterEventType.STEP_SUCCESS and not _is_check_step(step):
            self.write(f"done   {_step_label(step)}{self.step_figures(step, data)}")
        elif kind == DagsterEventType.STEP_FAILURE:
            self.write(f"FAILED {_step_label(step)}: {_error_line(data.error)}")
        elif kind == DagsterEventType.STEP_SKIPPED and not _is_check_step(step):
            self.write(f"skipped {_step_label(step)} (an upstream step or blocking check failed)")
        elif kind == DagsterEventType.STEP_UP_FOR_RETRY:
            self.write(f"retry  {_step_label(step)} (a passing cause; the step is safe to repeat)")

    def step_figures(self, step: str, data: Any) -> str:
        parts = []
        if step in DBT_STEPS:
            parts.append(f"{self.assets_by_step.get(step, 0)} models")
        rows = sum(self.rows_by_step.get(step, {}).values())
        if step in self.rows_by_step and step not in DBT_STEPS:
            parts.append(f"{rows:,} rows")
        duration_ms = getattr(data, "duration_ms", None)
        if duration_ms:
            parts.append(_seconds(duration_ms))
            if step.startswith("raw__") and step in self.rows_by_step:
                parts.append(f"{rows / (duration_ms / 1000):,.0f} rows/s")
        return f" ({', '.join(parts)})" if parts else ""


def _error_line(error: Any) -> str:
    """The first line of a step's error without the exception's module path."""
    if error is None or not error.message:
        return ""
    first = error.message.strip().splitlines()[0]
    prefix = f"{error.cls_name}: "
    return first.split(prefix, 1)[1] if prefix in first else first


def _is_check_step(step_key: str) -> bool:
    """GX suites run as their own check steps; their outcome lines replace start/done lines."""
    return "_gx_" in step_key


def _step_label(step_key: str) -> str:
    """``raw__shop__orders`` -> ``raw/shop/orders``: the asset key a user sees in the UI."""
    return STEP_LABELS.get(step_key) or step_key.replace("__", "/")


@logger(
    Field({}, is_required=False),
    description="One line per step with rows and time, dbt progress, failed checks.",
)
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    console = logging.Logger("cvw.progress", level=logging.DEBUG)
    # The stream of the moment the run starts: a step that silences a tool's own echo by
    # redirecting stdout must not silence this logger too.
    console.addHandler(ProgressHandler(sys.stdout))
    return console
