"""backchannel's headless engine: scenario loading and checking, pure rules, sessions, reports.

Nothing in this package imports a UI toolkit (lint-imports and tests/test_architecture.py
enforce it)."""

__version__ = "0.1.0"
