"""Wall time and peak memory of one step in its own process, and dbt's own per-node timings."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from benchmarks.comparison import RFM_COHORT_MODELS

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Step:
    name: str
    seconds: float
    peak_bytes: int
    rows: int = 0


# Runs the command given after the result path and writes the child's wall time and peak RSS
# there; a fresh process per step keeps one step's peak from hiding the next one's.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[2:]).returncode
seconds = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as handle:
    json.dump({"seconds": seconds, "peak_kib": peak_kib, "code": code}, handle)
sys.exit(code)
"""


def measure(
    name: str, command: list[str], env: dict[str, str], work: Path, may_fail: bool = False
) -> Step:
    """Run one step; ``may_fail`` lets a dbt build with failing tests still report its timings."""
    result_path = work / f"{name}.measure.json"
    print(f"--> {name}", flush=True)
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(result_path), *command], env=env, cwd=REPO_ROOT
    )
    if completed.returncode != 0:
        if not may_fail:
            raise SystemExit(f"step {name} failed with exit code {completed.returncode}")
        print(f"WARNING: {name} exited with {completed.returncode}; its timings are still reported")
    return measured_step(name, work)


def measured_step(name: str, work: Path) -> Step:
    measured = json.loads((work / f"{name}.measure.json").read_text())
    return Step(name, measured["seconds"], measured["peak_kib"] * 1024)


def dbt_timings(target: Path) -> list[tuple[str, str, float]]:
    """(layer, node name, seconds) of every node the dbt run executed."""
    manifest = json.loads((target / "manifest.json").read_text())
    nodes = manifest["nodes"]
    timings = []
    for result in json.loads((target / "run_results.json").read_text())["results"]:
        node = nodes.get(result["unique_id"], {})
        kind = result["unique_id"].split(".")[0]
        if kind == "model":
            layer = node.get("fqn", ["", "other"])[1]
        elif kind == "seed":
            layer = "seeds"
        else:
            layer = "tests"
        timings.append((layer, node.get("name", result["unique_id"]), result["execution_time"]))
    return timings


def rfm_cohort_path_alone(dbt: str, dbt_flags: list[str], env: dict[str, str], work: Path) -> float:
    """Seconds the RFM/cohort models take when each has the machine to itself, as the floor does.

    In the full build (two dbt threads below the large scale) other models run next to them, so
    their times there measure the contention as much as the models.
    """
    target = work / "target_rfm_cohort_path"
    flags = [*dbt_flags, "--target-path", str(target)]
    command = [dbt, "run", *flags, "--threads", "1", "--select", *RFM_COHORT_MODELS]
    print("--> dbt run, the RFM/cohort models alone", flush=True)
    subprocess.run(command, env=env, cwd=work, check=True, stdout=subprocess.DEVNULL)
    return rfm_cohort_seconds(dbt_timings(target))


def rfm_cohort_seconds(timings: list[tuple[str, str, float]]) -> float:
    """Summed execution time of the RFM/cohort models among ``timings``."""
    by_name = {name: seconds for _layer, name, seconds in timings}
    return sum(by_name[name] for name in RFM_COHORT_MODELS)


def raw_rows(data_dir: Path) -> int:
    return sum(pq.read_metadata(path).num_rows for path in (data_dir / "raw").rglob("*.parquet"))
