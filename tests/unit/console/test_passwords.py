"""Console password hashes: scrypt, salted, self-describing; and the hashing command."""

from __future__ import annotations

import subprocess
import sys

from service.console.passwords import hash_password, verify_password

CHEAP = {"n": 2**10, "r": 8, "p": 1}


def test_a_hash_verifies_its_password_only() -> None:
    """The right password matches; another does not."""
    encoded = hash_password("s3cret", **CHEAP)
    assert verify_password("s3cret", encoded)
    assert not verify_password("s3cret ", encoded)


def test_the_hash_names_its_scheme_and_cost_and_is_salted() -> None:
    """scrypt$n$r$p$salt$hash, and two hashes of one password differ."""
    first, second = hash_password("same", **CHEAP), hash_password("same", **CHEAP)
    assert first.split("$")[:4] == ["scrypt", "1024", "8", "1"]
    assert first != second


def test_a_malformed_hash_matches_nothing() -> None:
    """Wrong scheme, wrong field count, bad base64, absurd cost: never a match, never an error."""
    good = hash_password("x", **CHEAP)
    for bad in ("", "plain", good.replace("scrypt", "md5"), good + "$x", "scrypt$a$b$c$d$e"):
        assert not verify_password("x", bad)


def test_the_command_prints_a_hash_of_the_piped_password() -> None:
    """`python -m service.console.hash_password` reads stdin and prints a verifiable hash."""
    out = subprocess.run(
        [sys.executable, "-m", "service.console.hash_password"],
        input="demo-password\n",
        capture_output=True,
        text=True,
        check=True,
    )
    encoded = out.stdout.strip()
    assert encoded.startswith("scrypt$")
    assert verify_password("demo-password", encoded)
    assert "demo-password" not in out.stdout + out.stderr
