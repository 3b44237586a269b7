"""The configuration as the handlers ask it: institutions, providers, utilities, routing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

from service.config import Institution, SwitchConfig
from service.domain.provider_results import CircuitState
from service.domain.request_rules import amount_problem, meter_number_problem
from service.domain.routing import ProviderAvailability, RoutingPreferences
from service.domain.utility import UtilityCatalogue, UtilityRef
from service.ports.routing import StoredRouting


class Directory:
    """Read-only lookups over one loaded `SwitchConfig`."""

    def __init__(self, config: SwitchConfig) -> None:
        self._config = config
        self._institutions = {i.id: i for i in config.institutions}
        self._providers = {p.id: p for p in config.providers}
        self._preferences = {m.meter_number: m.provider_id for m in config.meter_preferences}
        self._zero_rated = {u.id for u in config.utilities if u.zero_rated_receipts}
        self.catalogue = UtilityCatalogue.build(
            (UtilityRef(id=u.id, name=u.name), u.aliases) for u in config.utilities
        )
        self.rules = config.rules
        self.coverage_window = timedelta(days=config.rules.coverage_window_days)
        self.lookup_deadline_s = config.rules.lookup_deadline_s
        self._stored: Mapping[str, StoredRouting] = {}
        self.routing_version = 0  # moves on with every change of preferences

    def use_stored_routing(self, stored: Mapping[str, StoredRouting]) -> None:
        """Route with the preferences stored in PostgreSQL (replaces the file's, whole)."""
        self._stored = stored
        self.routing_version += 1

    @property
    def provider_ids(self) -> tuple[str, ...]:
        """Every configured provider, in file order."""
        return tuple(self._providers)

    def admit(self, institution_id: str, meter_number: str) -> tuple[Institution, str] | str:
        """The institution and normalised meter number of a request, or why it cannot be served."""
        normalised, problem = meter_number_problem(meter_number)
        if normalised is None:
            return problem or "meter_number: invalid"
        institution = self._institutions.get(institution_id)
        if institution is None:
            return f"institution_id: unknown institution {institution_id}"
        return institution, normalised

    def amount_problem(self, value: int, currency: str) -> str | None:
        """Why a purchase of this amount cannot be made, or None (rule 20)."""
        return amount_problem(value, currency, accepted=self.rules.currencies)

    def institution(self, institution_id: str) -> Institution | None:
        """The institution, or None when the switch does not know it."""
        return self._institutions.get(institution_id)

    def enabled_providers(self, institution: Institution) -> tuple[str, ...]:
        """Providers the institution enabled that are also switched on switch-wide."""
        return tuple(p for p in institution.enabled_providers if self._providers[p].enabled)

    def provider_name(self, provider_id: str) -> str:
        """The provider's display name (its id when it is no longer configured)."""
        entry = self._providers.get(provider_id)
        return entry.name if entry else provider_id

    def takes_confirmations(self, provider_id: str) -> bool:
        """Whether the provider wants confirmation advices after a sale."""
        entry = self._providers.get(provider_id)
        return bool(entry and entry.takes_confirmations)

    def utility(self, utility_id: str | None) -> UtilityRef | None:
        """The switch's utility by id; None for Unassigned or an id no longer configured."""
        return self.catalogue.utilities.get(utility_id) if utility_id else None

    def zero_rated_receipts(self, utility_id: str | None) -> bool:
        """Whether the utility's receipts show 0% VAT on VAT-inclusive amounts (rule 12)."""
        return utility_id in self._zero_rated

    def preferences(
        self, institution: Institution, *, utility_id: str | None, meter_number: str
    ) -> RoutingPreferences:
        """Meter preference, then the institution's ranking and exclusions for the utility."""
        stored = self._stored.get(institution.id)
        if stored is not None:
            chosen = stored.utilities.get(utility_id) if utility_id else None
            return RoutingPreferences(
                meter_preference=stored.meters.get(meter_number),
                ranked=chosen.ranked if chosen else (),
                excluded=chosen.excluded if chosen else frozenset(),
            )
        routing = institution.routing.get(utility_id) if utility_id else None
        return RoutingPreferences(
            meter_preference=self._preferences.get(meter_number),
            ranked=routing.ranked if routing else (),
            excluded=frozenset(routing.excluded) if routing else frozenset(),
        )

    def availability(
        self, institution: Institution, circuit: Callable[[str], CircuitState]
    ) -> list[ProviderAvailability]:
        """Every configured provider as routing sees it for this institution now."""
        enabled = set(self.enabled_providers(institution))
        return [
            ProviderAvailability(
                provider_id=pid,
                enabled=pid in enabled,
                circuit_closed=circuit(pid) is CircuitState.CLOSED,
                weight=entry.weight,
            )
            for pid, entry in self._providers.items()
        ]
