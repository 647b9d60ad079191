"""Building blocks of the warehouse report: read-only table access, sections, charts, tables.

Charts are PNGs embedded as base64, so the report opens anywhere without a server.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass

import duckdb
import matplotlib

# Headless: the report is rendered by a nightly run or a test, never on a screen.
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    body: str
    available: bool


class Warehouse:
    """Read-only access to the snapshot or warehouse file; missing tables read as None."""

    def __init__(self, connection: duckdb.DuckDBPyConnection) -> None:
        self._connection = connection
        rows = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
        self._tables = {(schema, name) for schema, name in rows}

    def has(self, schema: str, name: str) -> bool:
        return (schema, name) in self._tables

    def tables(self, schema: str) -> list[str]:
        return sorted(name for table_schema, name in self._tables if table_schema == schema)

    def read(self, schema: str, name: str) -> pd.DataFrame | None:
        if not self.has(schema, name):
            return None
        return self._connection.execute(f'select * from {schema}."{name}"').df()

    def query(self, sql: str) -> pd.DataFrame:
        return self._connection.execute(sql).df()


def figure_to_img(figure: Figure, alt: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="chart" alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def table_html(frame: pd.DataFrame, table_id: str, index_label: str | None = None) -> str:
    """A plain table; cells carry raw values so the numbers can be read back exactly."""
    shown = frame.reset_index() if index_label is not None else frame
    if index_label is not None:
        shown = shown.rename(columns={shown.columns[0]: index_label})
    head = "".join(f"<th>{html.escape(str(column))}</th>" for column in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(value))}</td>" for value in row) + "</tr>"
        for row in shown.itertuples(index=False)
    )
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating):
        return f"{value:.4f}"
    return str(value)


def not_available(reason: str) -> str:
    return f'<p class="not-available">Not available: {html.escape(reason)}</p>'


def yuan(cents: pd.Series) -> pd.Series:
    return cents.astype("float64") / 100.0
