"""`make fault-test`: the switch under real faults (issue 11)."""
