"""The HTML report renders every chart in a real browser and shows the warehouse's numbers."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dagster_project.cli import report as report_cli
from dagster_project.lib import report, report_sections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SECTION_TITLES = (
    "Cohort retention",
    "RFM segments",
    "Customer lifetime value",
    "Channel ROAS over time",
    "Customer funnel",
    "Data quality",
)
# Sections whose marts the foundation build always has, so their charts must be there.
ALWAYS_CHARTED = ("cohort-retention", "rfm", "ltv", "funnel", "quality")
# Runs once the page has loaded and writes what the browser decoded into the DOM, so --dump-dom
# carries the answer out. The control image is deliberately broken: it proves the probe can fail.
PROBE = """
<img id="probe-control" src="data:image/png;base64,bm90IGEgcG5n">
<script>
window.addEventListener("load", () => {
  const report = Array.from(document.images).map((image) =>
    [image.id || "chart", image.complete && image.naturalWidth > 0 && image.naturalHeight > 0,
     image.naturalWidth, image.naturalHeight].join(":"));
  const marker = document.createElement("pre");
  marker.id = "render-probe";
  // Split so the script's own text, also in the dumped DOM, never matches the pattern.
  marker.textContent = "PRO" + "BE[" + report.join(";") + "]PRO" + "BE";
  document.body.appendChild(marker);
});
</script>
"""


class _TableReader(HTMLParser):
    """Collects the cells of the table with a given id."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.inside = False
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_table(document: str, table_id: str) -> pd.DataFrame:
    reader = _TableReader(table_id)
    reader.feed(document)
    assert reader.rows, f"table {table_id} not in the report"
    header, *rows = reader.rows
    return pd.DataFrame(rows, columns=header)


@pytest.fixture(scope="module")
def rendered(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "warehouse_report.html"
    path, _ = report.write_report(built_warehouse, out)
    return path


def _read_mart(built_warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(built_warehouse / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql).df()


def test_report_has_every_section_title(rendered: Path) -> None:
    document = rendered.read_text(encoding="utf-8")
    for title in SECTION_TITLES:
        assert f"<h2>{title}</h2>" in document, title
    for slug in ALWAYS_CHARTED:
        section = document.split(f'<section id="{slug}">', 1)[1].split("</section>", 1)[0]
        assert '<img class="chart"' in section, slug


def test_sections_without_their_mart_show_a_note_instead_of_failing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    document, sections = report.build_report(empty)
    assert [section.available for section in sections] == [False] * len(SECTION_TITLES)
    assert document.count('class="not-available"') >= len(SECTION_TITLES)
    assert '<img class="chart"' not in document


def test_command_line_writes_the_report_and_names_missing_sections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("CVW_DUCKDB_PATH", raising=False)
    duckdb.connect(str(tmp_path / "warehouse.duckdb")).close()
    out = tmp_path / "out" / "report.html"
    with caplog.at_level(logging.INFO, logger=report_cli.__name__):
        assert report_cli.main(["--data-dir", str(tmp_path), "--out", str(out)]) == 0
    assert "<h1>Customer value warehouse report</h1>" in out.read_text(encoding="utf-8")
    assert f"report written to {out}" in caplog.text
    assert f"not available yet: {', '.join(SECTION_TITLES)}" in caplog.text


def test_roas_is_weekly_revenue_over_spend_per_channel() -> None:
    # Hand-worked, rows as channel_roi_weekly has them: in the week of Monday 2026-10-05
    # ocean_engine's two campaigns spend 100 + 300 and earn 250 + 350 (ROAS 1.5); the next week
    # 200 and 100 (0.5).
    frame = pd.DataFrame(
        {
            "period_start_date": pd.to_datetime(
                ["2026-10-05", "2026-10-05", "2026-10-12", "2026-10-05"]
            ),
            "platform": ["ocean_engine", "ocean_engine", "ocean_engine", "baidu"],
            "spend_cents": [100, 300, 200, 0],
            "attributed_net_revenue_cents": [250, 350, 100, 500],
        }
    )
    roas = report_sections.roas_frame(frame).set_index(["week", "channel"])["roas"]
    assert roas[(pd.Timestamp("2026-10-05"), "ocean_engine")] == pytest.approx(1.5)
    assert roas[(pd.Timestamp("2026-10-12"), "ocean_engine")] == pytest.approx(0.5)
    # Zero spend has no ROAS rather than an infinite one.
    assert (pd.Timestamp("2026-10-05"), "baidu") not in roas.index
    assert report_sections.roas_frame(frame.drop(columns="attributed_net_revenue_cents")) is None


def test_rfm_grid_counts_match_a_pandas_crosstab(rendered: Path, built_warehouse: Path) -> None:
    shown = read_table(rendered.read_text(encoding="utf-8"), "rfm-grid").astype("int64")
    rfm = _read_mart(built_warehouse, "select r_score, f_score from marts.customer_rfm")
    expected = pd.crosstab(rfm["r_score"], rfm["f_score"])
    for _, row in shown.iterrows():
        for f_score in range(1, 6):
            count = expected.loc[row["r_score"], f_score] if f_score in expected.columns else 0
            assert row[f"f_score_{f_score}"] == count, (row["r_score"], f_score)
    assert shown.drop(columns="r_score").to_numpy().sum() == len(rfm)
    assert sorted(shown["r_score"]) == [1, 2, 3, 4, 5]


def test_quarantine_table_matches_counts_of_quarantined_rows(
    rendered: Path, built_warehouse: Path
) -> None:
    shown = read_table(rendered.read_text(encoding="utf-8"), "quarantine")
    shown["quarantined_rows"] = shown["quarantined_rows"].astype("int64")
    tables = _read_mart(
        built_warehouse,
        "select table_name from information_schema.tables where table_schema = 'quarantine'",
    )["table_name"]
    expected_rows = []
    for table in tables:
        reasons = _read_mart(built_warehouse, f'select quarantine_reason from quarantine."{table}"')
        source = table.removeprefix("quarantine_").replace("__", ".")
        for reason, count in reasons["quarantine_reason"].value_counts().items():
            expected_rows.append((source, reason, int(count)))
    assert expected_rows, "the demo data is generated with quarantined rows"
    assert sorted(shown.itertuples(index=False, name=None)) == sorted(expected_rows)


def test_every_chart_renders_in_headless_chromium(rendered: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `make chromium-packages`")
    probed = tmp_path / "probed.html"
    probed.write_text(
        rendered.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
        encoding="utf-8",
    )
    profile = tmp_path / "chromium-profile"
    result = subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    shutil.rmtree(profile, ignore_errors=True)
    match = re.search(r"PROBE\[(.*?)\]PROBE", result.stdout)
    assert match, f"probe did not run (exit {result.returncode}): {result.stderr[-2000:]}"
    images = [entry.split(":") for entry in match.group(1).split(";")]
    control = [entry for entry in images if entry[0] == "probe-control"]
    charts = [entry for entry in images if entry[0] == "chart"]
    assert control and control[0][1] == "false", "a broken image must be reported as broken"
    assert len(charts) >= len(ALWAYS_CHARTED)
    for _, decoded, width, height in charts:
        assert decoded == "true"
        assert int(width) > 100 and int(height) > 100
