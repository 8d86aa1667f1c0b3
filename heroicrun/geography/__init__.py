"""Real geography for maps: land, sea and borders, from data bundled with heroicrun."""
