"""Tests of the operator console and SRE signals."""
