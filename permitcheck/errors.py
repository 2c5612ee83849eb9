"""One error taxonomy: every failure the user can cause maps to one exit code.

The core raises these; only the CLI turns them into a line on stderr and an exit code.
Messages follow the pattern "what, where — how to fix".
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NONCOMPLIANT = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


class PermitcheckError(Exception):
    """Base of every error permitcheck raises on purpose."""

    exit_code = EXIT_INTERNAL


class InputError(PermitcheckError):
    """The user gave us something we cannot use (file, option, rulebook, site)."""

    exit_code = EXIT_BAD_INPUT


class ModelNotFound(InputError):
    pass


class ModelUnreadable(InputError):
    """Not an IFC file, truncated, empty, or a schema ifcopenshell cannot read."""


class ModelHasNoBuilding(InputError):
    pass


class ModelHasNoGeometry(InputError):
    pass


class UsageError(InputError):
    pass
