"""Launch the extraction as soon as new landing files arrive.

The cursor is the list of landing files already seen (``family/table/file name``). Each tick
lists the landing folder; new files are grouped by export day and one extraction run is requested
per day, keyed by the day and its new files so a tick repeated after a crash requests nothing
twice. Days whose partition does not exist yet (today, China time) wait for a later tick.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    sensor,
)

from dagster_project.defs.ingest.assets import raw_assets
from dagster_project.defs.ingest.partitions import daily_partitions
from dagster_project.lib.contract import SOURCES
from dagster_project.lib.landing_files import landing_files
from dagster_project.resources import WarehouseResource, default_data_dir

extraction_job = define_asset_job(
    name="landing_extraction",
    # Without the raw assets' dbt source tests: those run with the dbt build of the night.
    selection=AssetSelection.assets(*raw_assets).without_checks(),
    partitions_def=daily_partitions,
    description="Copy one export day of landing files into the raw Parquet layer.",
)


def landing_inventory(landing_root: Path) -> dict[str, date]:
    """Every landing file (``family/table/file name``) with its export day."""
    return {
        f"{source.family}/{source.table}/{landing_file.path.name}": landing_file.load_date
        for source in SOURCES
        for landing_file in landing_files(source, landing_root)
    }


def new_files_by_day(inventory: dict[str, date], seen: Iterable[str]) -> dict[date, list[str]]:
    """Files not seen before, grouped by export day, in day and name order."""
    already = set(seen)
    grouped: dict[date, list[str]] = {}
    for name, day in sorted(inventory.items(), key=lambda item: (item[1], item[0])):
        if name not in already:
            grouped.setdefault(day, []).append(name)
    return grouped


def run_key(day: date, files: list[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(files)).encode()).hexdigest()[:16]
    return f"landing-{day.isoformat()}-{digest}"


def evaluate(
    inventory: dict[str, date], cursor: str | None, partition_keys: set[str]
) -> tuple[list[RunRequest], str]:
    """Run requests for the new files of existing partitions, and the cursor after them."""
    seen = set(json.loads(cursor)) if cursor else set()
    requests = []
    for day, files in new_files_by_day(inventory, seen).items():
        if day.isoformat() not in partition_keys:
            continue
        requests.append(
            RunRequest(
                run_key=run_key(day, files),
                partition_key=day.isoformat(),
                tags={"cvw/new_landing_files": str(len(files))},
            )
        )
        seen.update(files)
    return requests, json.dumps(sorted(seen), separators=(",", ":"))


@sensor(
    name="new_landing_files",
    job=extraction_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.STOPPED,
    description="Extract an export day as soon as new landing files of that day arrive.",
)
def new_landing_files(context: SensorEvaluationContext) -> SensorResult | SkipReason:
    landing_root = WarehouseResource(data_dir=default_data_dir()).landing_root
    partition_keys = set(daily_partitions.get_partition_keys())
    requests, cursor = evaluate(landing_inventory(landing_root), context.cursor, partition_keys)
    if not requests:
        return SkipReason("no new landing files of a complete export day")
    return SensorResult(run_requests=requests, cursor=cursor)
