"""Scenarios 4-6: several instances with kills, bad records, purchase-id duplicates."""

from __future__ import annotations

from tests.fault.context import Scenario

SCENARIOS: list[Scenario] = []
