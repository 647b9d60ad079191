"""Write the files rendered from the contract and base models (``--check``: report stale ones).

python -m dagster_project.cli.generate [--check]
"""

from __future__ import annotations

import argparse
import sys

from dagster_project.lib.base_models import PROJECT_ROOT
from dagster_project.lib.generation import every_generated_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a generated file is out of date"
    )
    args = parser.parse_args(argv)
    stale = []
    for path, content in every_generated_file().items():
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
