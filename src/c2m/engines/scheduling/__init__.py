"""Scheduling engine: a flexible job shop solved by dispatching rules, CP-SAT and LNS."""
