"""HTTP: the application factory, operator APIs (health, metrics, admin), the framed
pages' shared machinery (placement authentication, view tokens, i18n, CSP) and the pages
themselves (the «Поиск» tab, the settings page, the install page)."""
