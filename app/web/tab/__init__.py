"""The "Поиск" tab: the placement page in the deal card and the procurement card.

Opened by the portal's placement POST, authenticated server-side against the stored
portal; its actions carry a short-lived signed view token (CSRF) and its pages may be
framed only by that portal.
"""
