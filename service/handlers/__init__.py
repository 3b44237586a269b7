"""Use cases: lookups, rebroadcast flags and purchases, written against the ports."""
