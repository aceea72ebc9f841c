"""The terminal UI of backchannel (Textual). The app class lives in the top-level ``tui``
module; this package holds its screens, widgets, messages and stylesheet.

The UI renders engine state and posts intents; every rule lives in ``engine``."""
