"""Clients for the outside systems b24bridge talks to (Bitrix24 REST, SMS gateways).

Each sub-package owns one external system: its transport, limits, retries and
error tree. Connectors know nothing of the app, the automations or the web layer;
those depend on connectors, never the other way round.
"""
