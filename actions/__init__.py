"""Custom actions (rasa_sdk), one module per topic. Served by `wijkbrug actions` or in-process."""
