"""The simulator's ledger: every vend and advice per purchase id, readable by tests."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal


@dataclass(frozen=True, kw_only=True)
class Vend:
    """Tokens issued once for a purchase id (a retry that finds them issues nothing new)."""

    purchase_id: str
    meter_id: str
    amount: int
    tokens: tuple[str | None, ...]
    via: Literal["purchase", "retry"]


@dataclass(frozen=True, kw_only=True)
class AdviceRecord:
    """An advice the simulator accepted; `purchase_id` is the original request's id."""

    advice_id: str
    purchase_id: str
    kind: Literal["confirmation", "reversal", "key_change_confirmation", "notification"]


class Ledger:
    """Append-only record of vends and advices."""

    def __init__(self) -> None:
        """Start empty."""
        self._vends: list[Vend] = []
        self._advices: list[AdviceRecord] = []

    def record_vend(self, vend: Vend) -> None:
        """Record tokens issued."""
        self._vends.append(vend)

    def record_advice(self, advice: AdviceRecord) -> None:
        """Record an accepted advice."""
        self._advices.append(advice)

    def vends(self, purchase_id: str | None = None) -> list[Vend]:
        """Vends, all or for one purchase id."""
        return [v for v in self._vends if purchase_id is None or v.purchase_id == purchase_id]

    def advices(self, purchase_id: str | None = None) -> list[AdviceRecord]:
        """Advices, all or for one purchase id."""
        return [a for a in self._advices if purchase_id is None or a.purchase_id == purchase_id]

    def clear(self) -> None:
        """Forget everything (between scenarios)."""
        self._vends.clear()
        self._advices.clear()

    def to_json(self, purchase_id: str | None = None) -> dict[str, Any]:
        """The ledger as JSON for the HTTP endpoint."""
        return {
            "vends": [asdict(v) for v in self.vends(purchase_id)],
            "advices": [asdict(a) for a in self.advices(purchase_id)],
        }
