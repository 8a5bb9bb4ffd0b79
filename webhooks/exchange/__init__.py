"""The exchange gateway's front doors (PRODUCT §3.10): JSON-RPC 2.0 at ``/exchange/rpc``
and 1C «Обмен с сайтом» (CommerceML 2) at ``/exchange/1c``. Both authenticate a node,
archive the payload and hand documents to the one core in ``automations/exchange``,
committing before they answer."""
