"""Integrations: outgoing webhooks an ERP or a shop front subscribes to instead of polling."""
