"""The directory: municipalities, wijkteams with their postcode areas and opening hours,
their contacts, organisations and volunteers. Coordinators edit it as YAML
(`wijkbrug import FILE`, `wijkbrug export FILE`)."""
