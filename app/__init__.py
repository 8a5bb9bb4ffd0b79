"""b24bridge web application: settings, database, HTTP routes, the worker and the CLI.

The app owns the link table between sales deals and procurement cards, the durable
event inbox and the idempotency records; it reaches Bitrix24 only through
``connectors.bitrix24``.
"""
