"""User-facing errors: one Chinese sentence naming the file, key or line."""

from __future__ import annotations

from typing import Any


class BriefgenError(Exception):
    """An input problem the user can fix; printed without a traceback.

    Immutable: to name another place, make a new error with :meth:`at`, so what
    is printed is always what the error says now.
    """

    __slots__ = ()

    def __init__(self, message: str, where: str | None = None, hint: str | None = None):
        super().__init__(message, where, hint)

    def __reduce__(self) -> Any:
        # Subclasses have other constructors: rebuild from the state, not by calling them.
        return _rebuild, (self.__class__, self.args, dict(getattr(self, "__dict__", {})))

    @property
    def message(self) -> str:
        return str(self.args[0])

    @property
    def where(self) -> str | None:
        return self.args[1]

    @property
    def hint(self) -> str | None:
        return self.args[2]

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("message", "where", "hint"):
            raise AttributeError(f"{type(self).__name__} is immutable; use .at(where) for a new place")
        super().__setattr__(name, value)

    def at(self, where: str | None) -> "BriefgenError":
        """The same error naming another place (subclasses keep their type and extra state)."""
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(getattr(self, "__dict__", {}))
        Exception.__init__(new, self.message, where, self.hint)
        return new

    def render(self) -> str:
        """The sentence shown to the user: 位置：说明（提示）."""
        text = f"{self.where}：{self.message}" if self.where else self.message
        if self.hint:
            text += f"（{self.hint}）"
        return text

    def __str__(self) -> str:
        return self.render()


def _rebuild(cls: type[BriefgenError], args: tuple, state: dict) -> BriefgenError:
    err = cls.__new__(cls)
    Exception.__init__(err, *args)
    err.__dict__.update(state)
    return err


class MissingDataError(BriefgenError):
    """A figure the data do not hold for the period (or its comparison period).

    A normal case in unattended runs: phrases leave the comparison out, and a
    section decides by its ``on_missing`` whether to stop, skip or say so.
    """

    __slots__ = ()


class BriefgenWarning(UserWarning):
    """A problem worth telling the user about that does not stop the build."""
