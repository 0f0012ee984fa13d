"""Sluice's stand-in for Open WebUI's package: the names community plugins import, over Sluice's host API.

Only what plugins import most is here (docs/plugins.md lists it); importing any other
`open_webui` module fails at load with a message naming it (sluice_runtime.MissingOpenWebUI).
"""
