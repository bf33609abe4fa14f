"""Insights: what customers say after delivery, and (next) the two-dimensional scorecard."""
