"""Subcommands of the ``cityscience`` command line (see :mod:`cityscience.cli`)."""
