"""Portals (PRODUCT §3.1): install and re-install, event/placement/robot bindings, the
per-portal REST clients and token store, incoming-webhook mode, and provisioning of the
smart processes, stages and fields the capabilities need."""
