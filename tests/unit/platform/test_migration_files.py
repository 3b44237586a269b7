"""Migration file discovery: naming and numbering rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.postgres.migrate import MigrationError, discover


def test_files_are_ordered_by_number_not_by_name(tmp_path: Path) -> None:
    """010 comes after 002 even though it sorts differently as text with other widths."""
    for name in ("010_c.sql", "002_b.sql", "001_a.sql"):
        (tmp_path / name).write_text("SELECT 1;")
    assert [m.version for m in discover(tmp_path)] == [1, 2, 10]


def test_a_misnamed_file_is_an_error(tmp_path: Path) -> None:
    """A file that does not follow NNN_name.sql is reported, never skipped silently."""
    (tmp_path / "add-table.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"add-table\.sql"):
        discover(tmp_path)


def test_a_repeated_number_is_an_error(tmp_path: Path) -> None:
    """Two files with one number would apply in an arbitrary order."""
    (tmp_path / "003_a.sql").write_text("SELECT 1;")
    (tmp_path / "003_b.sql").write_text("SELECT 2;")
    with pytest.raises(MigrationError, match=r"003_b\.sql"):
        discover(tmp_path)


def test_the_projects_migrations_are_well_formed() -> None:
    """The shipped migrations are numbered without gaps from 1."""
    versions = [m.version for m in discover()]
    assert versions == list(range(1, len(versions) + 1))
