"""Unit tests of the stream engine: no services."""
