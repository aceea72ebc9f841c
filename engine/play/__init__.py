"""Play: the pure rules (state, choice -> new state) and the session log that records a game."""
