"""Costing engine: process cost models, DFM rules, quantity breaks and lead-time tiers."""
