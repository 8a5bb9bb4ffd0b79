"""b24bridge: a kernel (``app.core``) with shells around it.

``core`` holds settings, the database, the inbox and job queue, idempotency records and
the portals table; ``portals`` installs and wires portals (PRODUCT §3.1); ``worker`` runs
jobs and periodic ticks; ``web`` serves the pages and APIs; ``cli`` the command line.
Imports point down that list only; capabilities live in ``automations``.
"""
