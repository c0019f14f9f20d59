"""Warm handoff: from a resident's consent to a named person who speaks their language."""
