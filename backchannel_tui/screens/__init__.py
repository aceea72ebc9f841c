"""The app's screens: picker, briefing, decision, outcome, debrief, and small modals."""
