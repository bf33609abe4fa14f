"""User circles: demands, votes, proposals from aggregation, pre-order batches."""
