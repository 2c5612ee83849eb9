"""The names a rulebook may give its measurement profile (the registry in `permitcheck.profiles`
must hold exactly these; kept apart so the rulebook schema can name them without importing geometry)."""

PHYSICAL = "physical"
NAMES = (PHYSICAL, "kr-building-act-119", "jp-bsa-enforcement-2", "de-baunvo-19-20", "nyc-zr-12-10")
