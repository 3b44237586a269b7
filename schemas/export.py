"""Write each topic's JSON Schema to schemas/jsonschema/<topic>.json; `--check` fails when stale.

Run as `python -m schemas.export [--check] [--out DIR]`. Inputs are described as the switch
validates them; outputs as it serialises them, so emitted events validate against the files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from schemas.registry import CONTRACTS, Direction, TopicContract

SCHEMA_DIR = Path(__file__).resolve().parent / "jsonschema"
_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def topic_schema(contract: TopicContract) -> dict[str, Any]:
    """The JSON Schema of one topic's payload, with the dialect, title and key description."""
    mode: Literal["validation", "serialization"]
    mode = "serialization" if contract.direction is Direction.OUTPUT else "validation"
    schema = contract.model.model_json_schema(mode=mode)
    schema["$schema"] = _DIALECT
    schema["$id"] = f"{contract.topic}.json"
    schema["title"] = contract.topic
    schema["x-kafka-key"] = contract.key
    return schema


def render(schema: Mapping[str, Any]) -> str:
    """Stable text for a schema file: sorted keys, two-space indent, final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """File name to content for every topic of the contract."""
    return {f"{t}.json": render(topic_schema(c)) for t, c in CONTRACTS.items()}


def stale_files(directory: Path) -> list[str]:
    """Names of schema files that are missing, different or no longer part of the contract."""
    expected = expected_files()
    present = {p.name for p in directory.glob("*.json")} if directory.is_dir() else set()
    stale = [n for n, text in expected.items() if _read(directory / n) != text]
    return sorted(stale + sorted(present - expected.keys()))


def write_all(directory: Path) -> list[str]:
    """Write every schema, remove files of topics that left the contract; return changed names."""
    changed = stale_files(directory)
    directory.mkdir(parents=True, exist_ok=True)
    expected = expected_files()
    for name in changed:
        path = directory / name
        if name in expected:
            path.write_text(expected[name], encoding="utf-8")
        else:
            path.unlink()
    return changed


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point: write (default) or check the schemas; 1 when stale in check."""
    parser = argparse.ArgumentParser(prog="python -m schemas.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--out", type=Path, default=SCHEMA_DIR, help="schema directory")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.out)
        for name in stale:
            print(f"stale: {args.out / name}", file=sys.stderr)
        if stale:
            print("run `python -m schemas.export` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    for name in write_all(args.out):
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
