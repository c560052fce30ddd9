"""Expected failures of the station: a clear message in Spanish (and English)."""

from prep_core.errors import PrepError


class StationError(PrepError):
    """Bad input or a state the operator must fix; never a traceback."""
