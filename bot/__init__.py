"""wijkbrug: the bridge between residents and their sociaal wijkteam."""

LANGUAGES = ("nl", "tr", "ar", "pap")
"""Languages the bot talks in. Dutch is the source language of every text."""

SOURCE_LANGUAGE = "nl"
