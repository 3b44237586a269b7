"""The switch's utilities, and mapping providers' receiver names/ids onto them (rule 3).

Disagreement rule: each provider that supports the meter votes for the utility its receiver
maps to; the utility with most votes wins; a tie goes to the tied utility named by the provider
earliest in `provider_order` (the routing rank, then the configured provider order). Receivers
that map to nothing do not vote and are reported. With no vote the meter keeps the utility it
had; a meter with no utility is *Unassigned*.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

UNASSIGNED = "Unassigned"


@dataclass(frozen=True, kw_only=True)
class UtilityRef:
    """A utility as the switch names it."""

    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class ReceiverReport:
    """The receiver a provider named for a meter, as it named it."""

    provider_id: str
    receiver_id: str | None = None
    receiver_name: str | None = None


def utility_label(utility: UtilityRef | None) -> str:
    """What the console shows for a meter's utility: its name, or *Unassigned* (rule 3)."""
    return UNASSIGNED if utility is None else utility.name


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class UtilityCatalogue:
    """The configured utilities and every alias (id, name or provider spelling) for each."""

    utilities: Mapping[str, UtilityRef]
    aliases: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, entries: Iterable[tuple[UtilityRef, Iterable[str]]]) -> UtilityCatalogue:
        """A catalogue from (utility, aliases) pairs; the id and name are aliases too."""
        utilities: dict[str, UtilityRef] = {}
        aliases: dict[str, str] = {}
        for utility, names in entries:
            utilities[utility.id] = utility
            for alias in (utility.id, utility.name, *names):
                aliases.setdefault(_fold(alias), utility.id)
        return cls(utilities, aliases)

    def match(self, report: ReceiverReport) -> UtilityRef | None:
        """The utility a receiver report maps to: by receiver id first, then by name."""
        for text in (report.receiver_id, report.receiver_name):
            if text and (utility_id := self.aliases.get(_fold(text))) is not None:
                return self.utilities[utility_id]
        return None


@dataclass(frozen=True, kw_only=True)
class UtilityResolution:
    """The chosen utility, each candidate's voters, and the reports that mapped to nothing."""

    utility: UtilityRef | None
    votes: Mapping[str, tuple[str, ...]]
    unmapped: tuple[ReceiverReport, ...] = ()

    @property
    def disagreement(self) -> bool:
        """Tell whether providers named more than one utility for the meter."""
        return len(self.votes) > 1


def _preference(voters: Sequence[str], rank: Mapping[str, int]) -> tuple[int, int, str]:
    """Sort key: most votes first, then the best-ranked voter, then the voter's id."""
    best_rank, best_id = min((rank.get(p, len(rank)), p) for p in voters)
    return (-len(voters), best_rank, best_id)


def resolve_utility(
    reports: Sequence[ReceiverReport],
    *,
    catalogue: UtilityCatalogue,
    provider_order: Sequence[str] = (),
    current: UtilityRef | None = None,
) -> UtilityResolution:
    """Pick the meter's utility from supporting providers' receivers (majority, then rank)."""
    votes: dict[str, list[str]] = {}
    unmapped = []
    for report in reports:
        utility = catalogue.match(report)
        if utility is None:
            unmapped.append(report)
        else:
            votes.setdefault(utility.id, []).append(report.provider_id)
    frozen = {uid: tuple(voters) for uid, voters in votes.items()}
    if not frozen:
        return UtilityResolution(utility=current, votes=frozen, unmapped=tuple(unmapped))
    rank = {pid: i for i, pid in enumerate(provider_order)}
    winner = min(frozen, key=lambda uid: _preference(frozen[uid], rank))
    return UtilityResolution(
        utility=catalogue.utilities[winner], votes=frozen, unmapped=tuple(unmapped)
    )
