"""Integration tests of the benchmark's own moving parts."""
