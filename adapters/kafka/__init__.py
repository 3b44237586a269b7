"""Kafka adapters (aiokafka): topic administration, producer, consumer."""
