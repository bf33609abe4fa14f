"""The demo: its products, its digital-twin factory, its accounts and its simulated shoppers.

Only entry points (``c2m demo``, ``c2m db seed-demo``, tests and benchmarks) import it; the
production path never does.
"""
