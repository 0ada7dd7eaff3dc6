"""What the benchmarks share: the environment their timed commands run in, and the machine line.

Timed commands run as a user's do: with compiled bytecode written and reused. A shell that sets
``PYTHONDONTWRITEBYTECODE`` would make every interpreter (and every notebook kernel) compile
cityscience's modules again, a cost no user pays twice; pandas' and the rest of the stack's bytecode
was written when pip installed them, cityscience's is written by each benchmark's untimed warm-up.
"""

from __future__ import annotations

import os
import platform

__all__ = ["machine_line", "user_env"]


def user_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's environment) without ``PYTHONDONTWRITEBYTECODE``."""
    return {k: v for k, v in (os.environ if env is None else env).items() if k != "PYTHONDONTWRITEBYTECODE"}


def machine_line() -> str:
    """The platform, Python version, CPU count and load average, printed above every result."""
    load = f", load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs{load}"
