"""Topic naming and partition counts."""

from __future__ import annotations

from service.topics import INPUTS, Topic, topic_specs


def test_every_contract_topic_gets_the_prefix_and_its_partitions() -> None:
    """Inputs take the input count, metrics one partition, the rest the output count."""
    specs = {
        s.name: s.partitions
        for s in topic_specs(prefix="dev.", input_partitions=8, output_partitions=4)
    }
    assert len(specs) == len(Topic)
    for topic in Topic:
        expected = 8 if topic in INPUTS else 1 if topic is Topic.METRICS else 4
        assert specs[f"dev.{topic.value}"] == expected
