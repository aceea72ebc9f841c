"""Presentation: the one wording layer, the debrief, exports and the exploration report."""
