"""Rule 15: customer details are optional and taken from one provider, never invented."""

from service.domain.customer import Customer, pick_customer


def test_customer_parts_are_optional() -> None:
    """Rule 15: an empty customer is valid and says it is empty."""
    assert Customer().empty
    assert not Customer(last_name="Mokoena").empty


def test_first_non_empty_customer_in_provider_order_is_used_unmerged() -> None:
    """Rule 15: one provider's details are used as they are; others are not merged in."""
    answers = {
        "A": Customer(),
        "B": Customer(first_name="Thandi"),
        "C": Customer(first_name="T", last_name="Mokoena", address="12 Acacia Ave"),
    }
    assert pick_customer(answers, provider_order=["A", "B", "C"]) == Customer(first_name="Thandi")
    assert pick_customer(answers, provider_order=["C"]).address == "12 Acacia Ave"
    assert pick_customer({"A": Customer()}, provider_order=["A"]) == Customer()
