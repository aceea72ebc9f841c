"""The bounds of the analyses, in a module of their own so that the command line can show them
in its help without importing the analyses (``backchannel check`` and the app start faster)."""

DEFAULT_MAX_STATES = 200_000  # states exact exploration walks before it falls back to sampling
CHECK_MAX_STATES = 10_000  # states `check` walks to prove reachability and find dead ends
DEFAULT_SAMPLES = 10_000  # playthroughs per policy when sampling, at most
DEFAULT_BUDGET = 8.0  # seconds of sampling when exact exploration is out of reach
