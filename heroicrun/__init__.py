"""heroicrun: real runs, measured honestly, turned into a story."""

__version__ = "0.1.0"
