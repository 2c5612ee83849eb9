"""Sites: parcels, roads, zones and neighbours from GeoJSON, placed in model coordinates."""

from permitcheck.site.load import SiteError, check_plausible_placement, load_site
from permitcheck.site.types import Edge, Site

__all__ = ["Edge", "Site", "SiteError", "check_plausible_placement", "load_site"]
