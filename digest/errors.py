"""Problems found while building, as data: the CLI prints them and picks the exit code."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Callable


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located: `path:line:column: message — hint`."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text


def warning(path: str, message: str, line: int | None = None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(path, message, line=line, hint=hint, severity=Severity.WARNING)


class DigestError(Exception):
    """A failure that stops a command; carries every diagnostic that explains it."""

    exit_code = 1

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic("digest", diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class Interrupted(Exception):
    """A digest serve build stopped for a newer change: what it had yet to write, the next build writes."""


def stop_if_asked(interrupt: Callable[[], bool] | None, where: str) -> None:
    """Raise Interrupted (at where) when interrupt says a newer change waits (BuildOptions.interrupt)."""
    if interrupt is not None and interrupt():
        raise Interrupted(where)


class ConfigError(DigestError):
    """config.yaml or a command-line option is wrong (exit 2)."""

    exit_code = 2


class ContentError(DigestError):
    """One or more content files are broken (exit 1)."""

    exit_code = 1


@dataclass
class Report:
    """Diagnostics collected over a whole run, so every problem is reported, not just the first."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def add(self, *items: Diagnostic) -> None:
        self.diagnostics.extend(items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]
