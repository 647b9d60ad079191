"""Write the files rendered from the contract and base models (``--check``: report stale ones).

python -m dagster_project.cli.generate [--check]
"""

from __future__ import annotations

import argparse
import sys

from dagster_project.lib.base_models import PROJECT_ROOT
from dagster_project.lib.dbt_codegen import generated_files
from dagster_project.lib.identity_codegen import identity_generated_files
from dagster_project.lib.model_outputs_yml import model_outputs_generated_files
from dagster_project.lib.quality_docs import DATA_QUALITY_DOC, render_data_quality_doc
from dagster_project.lib.raw_suites import raw_suite_files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a generated file is out of date"
    )
    args = parser.parse_args(argv)
    stale = []
    files = (
        generated_files()
        | identity_generated_files()
        | raw_suite_files()
        | model_outputs_generated_files()
    )
    files[DATA_QUALITY_DOC] = render_data_quality_doc()
    for path, content in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(path.relative_to(PROJECT_ROOT))
        if not args.check:
            path.write_text(content, encoding="utf-8")
    verb = "out of date" if args.check else "written"
    for path in stale:
        sys.stdout.write(f"{verb}: {path}\n")
    if args.check and stale:
        sys.stderr.write("run `make generate` and commit the result\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
