"""The command line: one module per command, each parsing its options and calling the library."""

from contactsim.cli.main import main

__all__ = ["main"]
