"""Factories and machines: the model, the MQTT contract, the gateway and the ingest of what
machines say."""
