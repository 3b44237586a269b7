"""JSON Schema export: the checked-in files match the models, and `--check` catches drift."""

import json
from pathlib import Path

import jsonschema
import pytest

from schemas import canonical_bytes
from schemas.export import SCHEMA_DIR, main, stale_files
from schemas.v1 import Event


def test_checked_in_schemas_are_current() -> None:
    """The files in schemas/jsonschema/ are what `python -m schemas.export` would write."""
    assert stale_files(SCHEMA_DIR) == [], "run `python -m schemas.export` and commit the result"


def test_check_mode_fails_when_stale_and_passes_after_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--check` exits 1 on missing, edited or orphan files; export fixes all three."""
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert main(["--out", str(tmp_path)]) == 0
    assert main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "ppu.metrics.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "ppu.retired.json").write_text("{}\n", encoding="utf-8")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert "ppu.retired.json" in capsys.readouterr().err
    assert main(["--out", str(tmp_path)]) == 0
    assert not (tmp_path / "ppu.retired.json").exists()
    assert main(["--check", "--out", str(tmp_path)]) == 0


def test_every_sample_event_validates_against_its_exported_schema(
    sample_events: dict[str, Event],
) -> None:
    """Events as serialised on the wire validate against the checked-in JSON Schema files."""
    for topic, event in sample_events.items():
        schema = json.loads((SCHEMA_DIR / f"{topic}.json").read_text(encoding="utf-8"))
        jsonschema.validate(json.loads(canonical_bytes(event)), schema)


def test_schema_rejects_what_the_model_rejects() -> None:
    """The exported schema refuses a negative amount and a missing purchase id too."""
    schema = json.loads((SCHEMA_DIR / "ppu.purchase.requested.json").read_text(encoding="utf-8"))
    bad = {
        "event_id": "0b0e6a9e-64c3-4a34-9f6f-1f1e0c4e7b10",
        "occurred_at": "2025-03-14T09:26:53Z",
        "institution_id": "I",
        "meter_number": "1",
        "amount": {"value": -1, "currency": "ZAR"},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
