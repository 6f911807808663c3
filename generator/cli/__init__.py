"""The command line: the only place that parses arguments and turns errors into exit
codes."""

from .app import GENERATED_MARKER, cli, main

__all__ = ["GENERATED_MARKER", "cli", "main"]
