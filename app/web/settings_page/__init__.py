"""The app's settings page: its main page in Bitrix24 (``PLACEMENT=DEFAULT``), mapping the
workflow's semantic stages to the portal's stage ids, choosing buyers, service products,
the deal funnel and the discount field, and a provisioning button.

Opened by the portal's frame POST and authenticated like the «Поиск» tab; its JSON API
takes a signed view token (``entity_kind`` "settings") and lets only portal
administrators (``user.admin``) save or provision. A save is validated against what the
portal has (one ``batch`` read) and writes nothing unless every value is valid.
"""
