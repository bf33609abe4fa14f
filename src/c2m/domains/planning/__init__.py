"""Planning: paid orders become work orders, scheduled onto machines, dispatched, re-planned."""
