"""The one failure of start-up configuration."""
from __future__ import annotations


class ConfigError(Exception):
    """One line that tells the operator what to fix."""
