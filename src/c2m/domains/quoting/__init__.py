"""Get a Quote: uploaded parts, instant quotes from their geometry, requests for quote."""
