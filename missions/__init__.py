"""The bundled mission catalog: the TOML files beside this one ship as heroicrun.catalog."""
