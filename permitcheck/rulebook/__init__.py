"""Rulebooks: the pydantic schema of the YAML, loading with file:line errors, and zone resolution."""

from permitcheck.rulebook.load import LoadedRulebook, RulebookError, load_rulebook
from permitcheck.rulebook.resolve import building_uses, declared_values, measurement_profile, rules_for_zone, sources_of, zone_codes
from permitcheck.rulebook.schema import RULE_KINDS, Rulebook

__all__ = ["RULE_KINDS", "LoadedRulebook", "Rulebook", "RulebookError", "building_uses", "declared_values", "load_rulebook",
           "measurement_profile", "rules_for_zone",
           "sources_of", "zone_codes"]
