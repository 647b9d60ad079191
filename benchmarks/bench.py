"""End-to-end benchmark: generate, extract, build, fit, validate, and compare with references.

    .venv/bin/python benchmarks/bench.py --scale small|medium|large [--data-dir DIR] [--keep-data]
    make bench SCALE=medium

Every step runs as its own subprocess, so its wall time and peak resident memory (the child's
``ru_maxrss``) are its own. The RFM and cohort marts are then recomputed twice from the raw
Parquet: by a hand-written DuckDB query (the floor: what the engine can do with no framework)
and by plain pandas as a user would write it; all three results must be equal. Targets are
printed as pass/FAIL and never fail the run, because timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from references import (  # noqa: E402 - the references sit next to this script
    RFM_COHORT_MODELS,
    compare_results,
    run_floor,
    run_pandas,
)

GIB = 2**30


@dataclass(frozen=True)
class Scale:
    customers: int
    # Activity multipliers of the generator that give the mix of the issue: about 10 orders,
    # 50 private-domain events (mini-program events plus WeCom interactions) and 20 ad clicks
    # per customer.
    orders_scale: float = 3.0
    events_scale: float = 1.6
    clicks_scale: float = 4.0
    days: int = 365
    # At the large scale the widest models spill tens of GB to disk; one dbt thread keeps two of
    # them from spilling at the same time. DuckDB still runs each query on every core.
    dbt_threads: int = 2


SCALES = {
    "small": Scale(customers=10_000),
    "medium": Scale(customers=100_000),
    "large": Scale(customers=1_000_000, dbt_threads=1),
}
TARGET_TOTAL_S = 30 * 60
TARGET_PEAK_BYTES = 16 * GIB
TARGET_FLOOR_RATIO = 3.0


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


def python_step(step: str, data_dir: Path, work: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--step", step,
            "--data-dir", str(data_dir), "--work", str(work)]  # fmt: skip


# --- steps run inside their own subprocess ---------------------------------------------------


def step_fit(data_dir: Path, work: Path) -> None:
    """Materialize the model-fitting assets exactly as Dagster runs them between the dbt runs."""
    from dagster import materialize

    from dagster_project.defs.models.assets import (
        churn_model_asset,
        clv_model,
        clv_validation_asset,
    )
    from dagster_project.resources import WarehouseResource

    warehouse = WarehouseResource(data_dir=str(data_dir))
    started = time.perf_counter()
    result = materialize(
        [clv_model, clv_validation_asset, churn_model_asset],
        resources={"warehouse": warehouse},
    )
    seconds = time.perf_counter() - started
    if not result.success:
        raise SystemExit("model fitting failed")
    customers = len(warehouse.read_table("intermediate.int_customer_purchase_summary"))
    _write(work / "fit.json", {"seconds": seconds, "rows": customers})


def step_gx(data_dir: Path, work: Path) -> None:
    """Validate every stored suite against its asset, as the blocking asset checks do."""
    import duckdb

    from dagster_project.defs.quality.checks import (
        asset_key_for_suite,
        read_asset_frame,
        suite_names,
    )
    from dagster_project.lib.gx_validation import validate_dataframe
    from dagster_project.resources import WarehouseResource

    warehouse = WarehouseResource(data_dir=str(data_dir))
    rows, seconds, failed, missing = 0, 0.0, [], []
    for name in suite_names():
        try:
            frame = read_asset_frame(warehouse, asset_key_for_suite(name))
        except duckdb.CatalogException:
            # A suite may land before the model it checks; the benchmark times what exists.
            missing.append(name)
            continue
        started = time.perf_counter()
        outcome = validate_dataframe(frame, name)
        seconds += time.perf_counter() - started
        rows += outcome.row_count
        if outcome.has_error_failure:
            failed.append(name)
    _write(
        work / "gx.json", {"seconds": seconds, "rows": rows, "failed": failed, "missing": missing}
    )


def step_floor(data_dir: Path, work: Path) -> None:
    seconds = run_floor(data_dir, work / "floor")
    _write(work / "floor.json", {"seconds": seconds})


def step_pandas(data_dir: Path, work: Path) -> None:
    seconds = run_pandas(data_dir, work / "pandas")
    _write(work / "pandas.json", {"seconds": seconds})


STEPS = {"fit": step_fit, "gx": step_gx, "floor": step_floor, "pandas": step_pandas}


def _write(path: Path, values: dict[str, object]) -> None:
    path.write_text(json.dumps(values))


def _read(path: Path) -> dict[str, object]:
    return json.loads(path.read_text())


# --- dbt timings ------------------------------------------------------------------------------


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
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(path).num_rows for path in (data_dir / "raw").rglob("*.parquet"))


# --- report -----------------------------------------------------------------------------------


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} CPUs ({model or platform.processor()}), {memory:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def verdict(passed: bool) -> str:
    return "pass" if passed else "FAIL"


def report(
    scale_name: str,
    steps: list[Step],
    timings: list[tuple[str, str, float]],
    references: dict[str, float],
    equal: dict[str, bool],
) -> None:
    print(f"\n=== benchmark: scale {scale_name} ({SCALES[scale_name].customers:,} customers)")
    print(f"machine: {machine()}")
    print(f"\n{'step':<26}{'seconds':>10}{'peak RSS GiB':>14}{'rows':>14}{'rows/s':>12}")
    for step in steps:
        rate = f"{step.rows / step.seconds:,.0f}" if step.rows and step.seconds else ""
        print(
            f"{step.name:<26}{step.seconds:>10.1f}{step.peak_bytes / GIB:>14.2f}"
            f"{step.rows:>14,}{rate:>12}"
        )
    total = sum(step.seconds for step in steps)
    peak = max(step.peak_bytes for step in steps)
    print(f"{'total':<26}{total:>10.1f}{peak / GIB:>14.2f}")

    print("\ndbt execution time per layer (from run_results.json)")
    layers: dict[str, list[float]] = {}
    for layer, _name, seconds in timings:
        layers.setdefault(layer, []).append(seconds)
    for layer in ("staging", "quarantine", "intermediate", "marts", "seeds", "tests"):
        if layer in layers:
            values = layers.pop(layer)
            print(f"  {layer:<14}{sum(values):>9.1f} s  {len(values):>4} nodes")
    for layer, values in sorted(layers.items()):
        print(f"  {layer:<14}{sum(values):>9.1f} s  {len(values):>4} nodes")
    print(f"  {'total':<14}{sum(seconds for *_, seconds in timings):>9.1f} s")
    print("slowest dbt models")
    models = [timing for timing in timings if timing[0] != "tests"]
    for layer, name, seconds in sorted(models, key=lambda timing: -timing[2])[:10]:
        print(f"  {seconds:>8.2f} s  {layer}/{name}")

    ours = references["ours"]
    floor, pandas_s = references["floor"], references["pandas"]
    print("\nRFM + cohort retention from raw orders and refunds")
    print(f"  ours (dbt models {', '.join(RFM_COHORT_MODELS)}, one at a time): {ours:.2f} s")
    print(f"    the same models inside the full build: {references['ours_in_build']:.2f} s")
    print(f"  floor (hand-written DuckDB SQL): {floor:.2f} s")
    print(f"  pandas: {pandas_s:.2f} s")
    print(f"  ours / floor = {ours / floor:.2f}x   pandas / ours = {pandas_s / ours:.2f}x")
    for name, same in equal.items():
        print(f"  results equal, {name}: {verdict(same)}")

    print("\ntargets")
    print(f"  RFM/cohort within {TARGET_FLOOR_RATIO:.0f}x the floor: "
          f"{verdict(ours <= TARGET_FLOOR_RATIO * floor)}")  # fmt: skip
    note = "" if scale_name == "large" else " (the target is for the large scale)"
    print(f"  total under {TARGET_TOTAL_S // 60} min: {verdict(total < TARGET_TOTAL_S)}{note}")
    print(f"  peak memory under {TARGET_PEAK_BYTES // GIB} GiB: "
          f"{verdict(peak < TARGET_PEAK_BYTES)}")  # fmt: skip


# --- main --------------------------------------------------------------------------------------

GENERATE = "generate landing CSVs"
EXTRACT = "extract landing -> raw"


def generate_and_extract(
    scale: Scale, seed: int, data_dir: Path, env: dict[str, str], work: Path
) -> list[Step]:
    return [
        measure(
            GENERATE,
            [
                sys.executable,
                "-m",
                "dagster_project.cli.demo_data",
                "--seed",
                str(seed),
                "--customers",
                str(scale.customers),
                "--days",
                str(scale.days),
                "--orders-scale",
                str(scale.orders_scale),
                "--events-scale",
                str(scale.events_scale),
                "--clicks-scale",
                str(scale.clicks_scale),
                "--out",
                str(data_dir / "landing"),
            ],
            env,
            work,
        ),
        measure(
            EXTRACT,
            [sys.executable, "-m", "dagster_project.lib.landing"],
            env,
            work,
        ),
    ]


def reuse_raw_layer(data_dir: Path, work: Path, scale_name: str, seed: int) -> list[Step]:
    """Keep the raw layer and the input steps' figures of an earlier run; drop everything else."""
    inputs = work / "inputs.json"
    if not (data_dir / "raw").is_dir() or not inputs.is_file():
        raise SystemExit(f"--reuse-raw: {data_dir} holds no raw layer of an earlier benchmark")
    earlier = _read(inputs)
    if earlier != {"scale": scale_name, "seed": seed}:
        raise SystemExit(f"--reuse-raw: {data_dir} was generated with {earlier}")
    kept = {inputs, *(work / f"{name}.measure.json" for name in (GENERATE, EXTRACT))}
    for path in [*data_dir.iterdir(), *work.iterdir()]:
        if path in kept or path in (data_dir / "raw", work):
            continue
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    print(f"--> reusing the raw layer in {data_dir} and its generation and extraction figures")
    return [measured_step(GENERATE, work), measured_step(EXTRACT, work)]


def run(
    scale_name: str, data_dir: Path, keep_data: bool, seed: int, reuse_raw: bool = False
) -> dict[str, bool]:
    scale = SCALES[scale_name]
    work = data_dir / "_bench"
    # Reused input steps keep their figures; otherwise the folder starts empty.
    steps = reuse_raw_layer(data_dir, work, scale_name, seed) if reuse_raw else []
    if not reuse_raw:
        shutil.rmtree(data_dir, ignore_errors=True)
        work.mkdir(parents=True)
    target = work / "target"
    env = {
        **os.environ,
        "CVW_DATA_DIR": str(data_dir),
        "GX_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DAGSTER_HOME": str(work / "dagster_home"),
    }
    env.pop("CVW_DUCKDB_PATH", None)
    # DuckDB's buffer pool plus dbt's own memory stay within the 16 GiB target; past the limit
    # DuckDB spills to disk instead of growing to its default 80% of the machine.
    env.setdefault("CVW_DUCKDB_MEMORY_LIMIT", "12GiB")
    (work / "dagster_home").mkdir()
    (work / "dagster_home" / "dagster.yaml").touch()
    dbt = str(Path(sys.executable).parent / "dbt")
    project_flags = ["--profiles-dir", str(REPO_ROOT), "--project-dir", str(REPO_ROOT),
                     "--log-path", str(work / "logs")]  # fmt: skip
    dbt_flags = [*project_flags, "--target-path", str(target)]

    if not reuse_raw:
        steps = generate_and_extract(scale, seed, data_dir, env, work)
        _write(work / "inputs.json", {"scale": scale_name, "seed": seed})
    rows = raw_rows(data_dir)
    steps[0].rows = steps[1].rows = rows
    if not keep_data:
        # Nothing reads the landing CSVs after extraction; at the large scale they are 13 GB.
        shutil.rmtree(data_dir / "landing", ignore_errors=True)

    # The same split as the Dagster job: everything but the prediction marts, the model fits,
    # then the marts that read the fitted models.
    timings: list[tuple[str, str, float]] = []
    warehouse_build = [dbt, "build", *dbt_flags, "--threads", str(scale.dbt_threads),
                       "--exclude", "source:models+"]  # fmt: skip
    build = measure("dbt build (warehouse)", warehouse_build, env, work, may_fail=True)
    build.rows = rows
    timings += dbt_timings(target)
    steps.append(build)
    rfm_cohort_alone = rfm_cohort_path_alone(dbt, project_flags, env, work)
    fit = measure("model fitting (CLV, churn)", python_step("fit", data_dir, work), env, work)
    fit.rows = int(_read(work / "fit.json")["rows"])
    steps.append(fit)
    prediction_build = [dbt, "build", *dbt_flags, "--select", "source:models+"]
    predictions = measure("dbt build (predictions)", prediction_build, env, work, may_fail=True)
    timings += dbt_timings(target)
    steps.append(predictions)
    gx = measure("GX validation", python_step("gx", data_dir, work), env, work)
    gx_result = _read(work / "gx.json")
    gx.rows = int(gx_result["rows"])
    steps.append(gx)
    if gx_result["missing"]:
        print(f"GX suites without their table: {', '.join(gx_result['missing'])}")
    if gx_result["failed"]:
        print(f"GX suites with error failures: {', '.join(gx_result['failed'])}")
    steps.append(measure("floor (DuckDB SQL)", python_step("floor", data_dir, work), env, work))
    steps.append(measure("pandas reference", python_step("pandas", data_dir, work), env, work))

    references = {
        "ours": rfm_cohort_alone,
        "ours_in_build": rfm_cohort_seconds(timings),
        "floor": float(_read(work / "floor.json")["seconds"]),
        "pandas": float(_read(work / "pandas.json")["seconds"]),
    }
    equal = compare_results(data_dir, work)
    report(scale_name, steps, timings, references, equal)
    if not keep_data:
        shutil.rmtree(data_dir, ignore_errors=True)
    return equal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="scratch data dir, wiped first (default /tmp/cvw_bench_<scale>)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep-data", action="store_true", help="keep the data dir afterwards")
    parser.add_argument(
        "--reuse-raw",
        action="store_true",
        help="keep the raw layer of an earlier --keep-data run (or an interrupted run) in the data "
        "dir, with its generation and extraction figures, and rerun every step after them",
    )
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.step:
        STEPS[arguments.step](arguments.data_dir, arguments.work)
        return 0
    data_dir = arguments.data_dir or Path(f"/tmp/cvw_bench_{arguments.scale}")
    if data_dir.resolve() in (REPO_ROOT.resolve(), (REPO_ROOT / "data").resolve()):
        raise SystemExit("refusing to wipe the repository's own data dir: pick a scratch dir")
    # The data dir is wiped first: only an empty folder or an earlier benchmark's may be.
    if data_dir.is_dir() and any(data_dir.iterdir()) and not (data_dir / "_bench").is_dir():
        raise SystemExit(f"{data_dir} is not empty and not a benchmark folder: pick a scratch dir")
    equal = run(
        arguments.scale,
        data_dir.resolve(),
        arguments.keep_data,
        arguments.seed,
        arguments.reuse_raw,
    )
    # A result mismatch is a correctness failure, unlike a missed timing target.
    return 0 if all(equal.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
