"""The bonus and money reports (PRODUCT §3.9): a section of the settings page (the app's
main page in Bitrix24) that reads ``GET /reports/api`` and downloads
``GET /reports/api/export.xlsx`` — both behind the settings page's view token, for
administrators only."""
