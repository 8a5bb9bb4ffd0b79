"""What every page framed by a portal shares: placement authentication, signed view
tokens (CSRF), JSON bodies, i18n, and rendering with a CSP that names the portal."""
