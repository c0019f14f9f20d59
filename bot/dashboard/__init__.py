"""The wijkteam dashboard: referrals, volunteers and contacts, reach figures.

A small Sanic app of its own (`wijkbrug dashboard`, started by `wijkbrug run`), so it can
run and scale apart from the bot; it shares the database and the Babel catalogs.
"""
