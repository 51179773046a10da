"""The small hierarchy of errors topicwire raises.

Third-party exceptions are translated into these at the boundary of the module that calls the
library, so callers only ever catch ``TopicwireError`` subclasses.
"""

from __future__ import annotations

from pathlib import Path


class TopicwireError(Exception):
    """Base class of every error topicwire raises on purpose."""


class ConfigError(TopicwireError):
    """A setting, a site folder or a taxonomy file is wrong or missing."""


class SiteError(ConfigError):
    """The site folder cannot be found, created or opened."""


class ParseError(TopicwireError):
    """Input could not be read: names the file, the line (1-based, when known) and the problem."""

    def __init__(self, problem: str, *, path: str | Path | None = None, line: int | None = None):
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.problem}"


class RecordError(ParseError):
    """A markdown record (front matter + body) is malformed."""


class SecuredError(TopicwireError):
    """A ``secured`` value could not be made or opened."""


class ForeignSecuredError(SecuredError):
    """The value is well formed but was not sealed with this site's key (or was altered)."""


class StoreError(TopicwireError):
    """The database refused an operation or is not reachable."""


def describe_bug(exc: BaseException) -> str:
    """An unexpected exception in one line: its type and the start of its message."""
    message = " ".join(str(exc).split())
    if len(message) > 200:
        message = message[:199] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def bug_details(exc: BaseException) -> tuple[str, str]:
    """An unexpected exception as the reason a user reads (``internal error (...)``) and the
    traceback's text kept for a bug report."""
    import traceback  # (only a bug needs it)

    return f"internal error ({describe_bug(exc)})", "".join(traceback.format_exception(exc))
