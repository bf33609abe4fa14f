"""Makers: anyone with capacity, down to a home 3D printer, selling it on the platform.

How a maker owns machines: becoming a maker opens a one-person micro-enterprise (the person is
its owner) with one workshop, a factory of the factory domain. A row in ``maker_profiles`` ties
the three together and is what makes that enterprise a maker's. So the machine contract, machine
credentials (``factory.credentials``) and ``c2m agent`` work unchanged: a maker's printer is a
machine of the workshop's factory, and its login is ``<workshop code>/<printer code>``. What only
routing across owners needs (material, colour, build volume, tolerance, price per cm³) lives in
``maker_machines``, keyed by the machine's id.
"""
