"""Bitrix24 callbacks: CRM events, app lifecycle events, robot calls and action webhooks."""
