"""How a table prints one number: shared by the CLI's tables and the HTML report.

Kept apart from ``statistics`` (SciPy's distributions, pandas) so that a command that only
prints, or fails before fitting, does not import them.
"""

from __future__ import annotations

__all__ = ["format_number"]


def format_number(value: float) -> str:
    """A finite table number: 4 decimals, or 3 significant digits in scientific notation
    outside [1e-4, 1e6) (the CLI's and the report's coefficient tables)."""
    if value != 0 and not 1e-4 <= abs(value) < 1e6:
        return f"{value:.3e}"
    return f"{value:.4f}"
