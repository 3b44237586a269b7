"""Ports: the typing.Protocol interfaces the handlers use, implemented by adapters."""
