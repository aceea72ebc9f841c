"""backchannel's headless engine: scenario loading and checking, pure rules, sessions, reports.

Nothing in this package imports a UI toolkit (tests/test_import_hygiene.py enforces it)."""

__version__ = "0.1.0"
