"""The one exception type the library raises for bad settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable


class ConfigError(ValueError):
    """A setting is invalid. Raised at synth, before anything reaches CloudFormation.

    Attributes:
        code: stable PascalCase identifier of the rule that failed (for example ``"InvalidCidr"``).
        problems: every problem found, each a sentence naming the setting, the value received,
            what is allowed and how to fix it.
        path: the construct path (or config key) the problems belong to, when known.
    """

    def __init__(self, code: str, problems: str | Iterable[str], *, path: str | None = None) -> None:
        self.code = code
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        if not self.problems:
            raise ValueError("ConfigError needs at least one problem")
        self.path = path
        super().__init__(self._render())

    def _render(self) -> str:
        where = f" at {self.path}" if self.path else ""
        if len(self.problems) == 1:
            return f"[{self.code}]{where}: {self.problems[0]}"
        lines = "\n".join(f"  - {p}" for p in self.problems)
        return f"[{self.code}]{where}: {len(self.problems)} problems:\n{lines}"


def raise_if_problems(code: str, problems: Iterable[str], *, path: str | Callable[[], str] | None = None) -> None:
    """Raise one ``ConfigError`` listing every problem, if there are any.

    ``path`` may be a function returning it: it is then called only when there are problems (a construct's
    ``node.path`` is a round trip to the jsii kernel, not worth paying on the path where everything is valid).
    """
    collected = list(problems)
    if collected:
        raise ConfigError(code, collected, path=path() if callable(path) else path)
