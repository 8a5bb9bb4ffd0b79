"""The sandbox portal: an in-memory Bitrix24 cloud emulator served as one ASGI app.

It owns everything a test or a demo needs instead of a real portal: REST v2 with
Bitrix24's envelopes, quirks and limits (``/rest/…``, ``/p/{code}/rest/…``), the
OAuth token endpoint, asynchronous event delivery with fault switches, the local
application lifecycle (install, ``installFinish``, uninstall), placements, robots,
server-rendered pages for people, and a control API under ``/_sandbox/``. It never
imports the application packages; the facts it reproduces are in REST_FACTS.md.
"""
