"""The command line lists its commands and reports configuration errors in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service.__main__ import COMMANDS


def test_help_lists_every_command() -> None:
    """`python -m service --help` names each command."""
    out = subprocess.run(
        [sys.executable, "-m", "service", "--help"], capture_output=True, text=True, check=True
    )
    for name in COMMANDS:
        assert name in out.stdout


def test_a_bad_configuration_file_exits_2_with_one_message(tmp_path: Path) -> None:
    """check-config on a missing file: exit status 2 and a sentence, no traceback."""
    env = {"PPU_CONFIG_FILE": str(tmp_path / "missing.toml"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "service", "check-config"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 2
    assert "configuration error" in out.stderr
    assert "Traceback" not in out.stderr
