"""Every file ``make generate`` writes, with its rendered content: the one list of them.

The command line writes or checks these; the stale-generation test compares them with the
committed files.
"""

from __future__ import annotations

from pathlib import Path

from dagster_project.lib.dbt_codegen import generated_files
from dagster_project.lib.identity_codegen import identity_generated_files
from dagster_project.lib.model_outputs_yml import model_outputs_generated_files
from dagster_project.lib.quality_docs import DATA_QUALITY_DOC, render_data_quality_doc
from dagster_project.lib.raw_suites import raw_suite_files


def every_generated_file() -> dict[Path, str]:
    files = (
        generated_files()
        | identity_generated_files()
        | raw_suite_files()
        | model_outputs_generated_files()
    )
    files[DATA_QUALITY_DOC] = render_data_quality_doc()
    return files
