"""Reusable widgets: they render what they are given (attributes down) and post messages
up; none of them touches the session."""
