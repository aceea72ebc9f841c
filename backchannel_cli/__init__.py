"""The command line front end: `backchannel` commands and line mode (screen readers, scripts)."""
