"""Rows of one export on their way to the landing files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dagster_project.lib.contract import get_source

# A table is its columns, each an array of strings.
Table = dict[str, np.ndarray]


@dataclass
class Frame:
    """Rows for one source: the table, the export day per row, and which rows to write."""

    name: str
    table: Table
    day: np.ndarray
    rows: np.ndarray | None = None  # row order to write, repeats allowed; None: every row once

    def __post_init__(self) -> None:
        # The contract owns the columns and their order; a table is built in the order its values
        # are drawn (the random stream depends on it) and put in the contract's order here.
        columns = get_source(self.name).column_names
        if set(self.table) != set(columns):
            raise ValueError(f"{self.name}: columns {list(self.table)} differ from the contract")
        self.table = {column: self.table[column] for column in columns}


def _take(table: Table, index: np.ndarray) -> Table:
    return {column: values[index] for column, values in table.items()}


def _concat(tables: Sequence[Table]) -> Table:
    return {column: np.concatenate([table[column] for table in tables]) for column in tables[0]}
