"""End-to-end benchmark: generate, extract, build, fit, validate, and compare with references.

    .venv/bin/python benchmarks/bench.py --scale small|medium|large [--data-dir DIR] [--keep-data]
    make bench SCALE=medium

Every step runs as its own subprocess, so its wall time and peak resident memory (the child's
``ru_maxrss``) are its own. The RFM and cohort marts are then recomputed twice from the raw
Parquet: by a hand-written DuckDB query (the floor, ``floor.py``: what the engine can do with
no framework) and by the plain pandas reference the tests use (``tests/reference``); all three
results must be equal. Targets are
printed as pass/FAIL and never fail the run, because timings depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The script runs by path: the repository root makes the benchmarks and the test references
# importable as packages.
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.comparison import compare_results  # noqa: E402
from benchmarks.measurement import (  # noqa: E402
    Step,
    dbt_timings,
    measure,
    measured_step,
    raw_rows,
    rfm_cohort_path_alone,
    rfm_cohort_seconds,
)
from benchmarks.report import report  # noqa: E402
from benchmarks.scales import SCALES, Scale  # noqa: E402
from benchmarks.steps import STEPS, python_step, read_result, write_result  # noqa: E402

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
            [sys.executable, "-m", "dagster_project.cli.landing"],
            env,
            work,
        ),
    ]


def reuse_raw_layer(data_dir: Path, work: Path, scale_name: str, seed: int) -> list[Step]:
    """Keep the raw layer and the input steps' figures of an earlier run; drop everything else."""
    inputs = work / "inputs.json"
    if not (data_dir / "raw").is_dir() or not inputs.is_file():
        raise SystemExit(f"--reuse-raw: {data_dir} holds no raw layer of an earlier benchmark")
    earlier = read_result(inputs)
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
        write_result(work / "inputs.json", {"scale": scale_name, "seed": seed})
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
    fit.rows = int(read_result(work / "fit.json")["rows"])
    steps.append(fit)
    prediction_build = [dbt, "build", *dbt_flags, "--select", "source:models+"]
    predictions = measure("dbt build (predictions)", prediction_build, env, work, may_fail=True)
    timings += dbt_timings(target)
    steps.append(predictions)
    gx = measure("GX validation", python_step("gx", data_dir, work), env, work)
    gx_result = read_result(work / "gx.json")
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
        "floor": float(read_result(work / "floor.json")["seconds"]),
        "pandas": float(read_result(work / "pandas.json")["seconds"]),
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
