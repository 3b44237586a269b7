"""Rule 3 and utility mapping: receivers map to switch utilities; disagreement is resolved."""

from service.domain.utility import (
    ReceiverReport,
    UtilityCatalogue,
    UtilityRef,
    resolve_utility,
    utility_label,
)

ESKOM = UtilityRef(id="ESKOM", name="Eskom Direct")
CPT = UtilityRef(id="CPT", name="City of Cape Town")
CATALOGUE = UtilityCatalogue.build([(ESKOM, ["Eskom", "ESK"]), (CPT, ["Cape Town", "CCT"])])


def test_meter_without_utility_shows_unassigned() -> None:
    """Rule 3: a meter with no utility shows Unassigned."""
    assert utility_label(None) == "Unassigned"
    assert utility_label(ESKOM) == "Eskom Direct"


def test_receiver_maps_by_id_then_name_ignoring_case_and_spacing() -> None:
    """A receiver id or name matches the switch's id, name or alias, case-insensitively."""
    assert CATALOGUE.match(ReceiverReport(provider_id="P", receiver_id="esk")) == ESKOM
    assert CATALOGUE.match(ReceiverReport(provider_id="P", receiver_name="  cape   TOWN ")) == CPT
    assert (
        CATALOGUE.match(ReceiverReport(provider_id="P", receiver_id="X", receiver_name="CPT"))
        == CPT
    )
    assert CATALOGUE.match(ReceiverReport(provider_id="P", receiver_name="Durban")) is None


def test_majority_wins_and_disagreement_is_reported() -> None:
    """When providers disagree the utility named by most supporting providers wins."""
    resolution = resolve_utility(
        [
            ReceiverReport(provider_id="A", receiver_name="Cape Town"),
            ReceiverReport(provider_id="B", receiver_name="Eskom"),
            ReceiverReport(provider_id="C", receiver_id="CCT"),
        ],
        catalogue=CATALOGUE,
        provider_order=["B", "A", "C"],
    )
    assert resolution.utility == CPT
    assert resolution.disagreement
    assert resolution.votes == {"CPT": ("A", "C"), "ESKOM": ("B",)}


def test_tie_goes_to_the_provider_first_in_order() -> None:
    """A tie is broken by the provider order (routing rank, then configured order)."""
    reports = [
        ReceiverReport(provider_id="A", receiver_name="Cape Town"),
        ReceiverReport(provider_id="B", receiver_name="Eskom"),
    ]
    first_b = resolve_utility(reports, catalogue=CATALOGUE, provider_order=["B", "A"])
    first_a = resolve_utility(reports, catalogue=CATALOGUE, provider_order=["A", "B"])
    assert (first_b.utility, first_a.utility) == (ESKOM, CPT)


def test_unmapped_receivers_do_not_vote_and_current_utility_stays() -> None:
    """Rule 3: unmapped receivers are reported; with no vote the meter keeps what it had."""
    report = ReceiverReport(provider_id="A", receiver_name="Durban")
    kept = resolve_utility([report], catalogue=CATALOGUE, current=ESKOM)
    none = resolve_utility([report], catalogue=CATALOGUE)
    assert kept.utility == ESKOM
    assert none.utility is None
    assert utility_label(none.utility) == "Unassigned"
    assert none.unmapped == (report,)
    assert not none.disagreement
