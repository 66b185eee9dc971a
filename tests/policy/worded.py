"""The engine's decide and decide_many with summaries and reasons worded in English, for readable assertions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.policy import Decision
from app.policy import decide as decide_data
from app.policy import decide_many as decide_many_data
from app.policy.wording import ENGLISH


def english(decision: Decision) -> Any:
    """Return the decision with its summary and reasons as English sentences."""
    return replace(decision, summary=ENGLISH(decision.summary), reasons=tuple(ENGLISH(r) for r in decision.reasons))


def decide(*args: Any, **kwargs: Any) -> Any:
    """Decide, then word the decision in English."""
    return english(decide_data(*args, **kwargs))


def decide_many(*args: Any, **kwargs: Any) -> tuple[Any, ...]:
    """Decide every category, then word each decision in English."""
    return tuple(english(d) for d in decide_many_data(*args, **kwargs))
