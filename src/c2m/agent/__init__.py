"""``c2m agent``: one real printer on the machine contract, over outbound connections only.

A small process for a printer host (a Raspberry Pi beside the printer): it speaks MQTT to the
platform's broker, HTTP to the platform for job files and to the printer's own server. It loads no
database, web tier or solver (an import-linter contract in pyproject.toml keeps it so).
"""
