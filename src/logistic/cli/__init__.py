"""The command line: ``logistic <subcommand>``."""

from logistic.cli.app import main, run

__all__ = ["main", "run"]
