"""User-facing errors: one Chinese sentence naming the file, key or line."""

from __future__ import annotations


class BriefgenError(Exception):
    """An input problem the user can fix; printed without a traceback."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def render(self) -> str:
        text = f"{self.where}：{self.message}" if self.where else self.message
        if self.hint:
            text += f"（{self.hint}）"
        return text


class BriefgenWarning(UserWarning):
    """A problem worth telling the user about that does not stop the build."""
