"""Facilitated workshops in Textual: the facilitator console (console.py), the projector view
(projector.py) and the team client (team.py), in a terminal or served to browsers (serve.py).
The headless core is engine.workshop; these screens only render its Room and send the
facilitator's and teams' intents to it. `backchannel workshop run|screen|serve|join` reach
them through commands.py, which backchannel_cli/workshop.py loads when this package is here.
"""
