"""The benchmark's printed report: steps, dbt layers, the references and the targets."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from benchmarks.comparison import RFM_COHORT_MODELS
from benchmarks.measurement import Step
from benchmarks.scales import (
    GIB,
    SCALES,
    TARGET_FLOOR_RATIO,
    TARGET_PEAK_BYTES,
    TARGET_TOTAL_S,
)


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
