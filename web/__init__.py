"""The pages' templates and static files: they ship as heroicrun.web."""
