"""Combine the decisions for the platform's own training and for third parties' training of the same content."""

from __future__ import annotations

from .model import DEPENDS_ON_ORDER, Decision, UsedBy, Verdict, phrase


def combine(category_id: str, parts: list[tuple[UsedBy, Decision]]) -> Decision:
    """Return one decision: the content is used if any user of it trains on it, not used only if none does."""
    verdicts = [d.verdict for _, d in parts]
    if Verdict.USED in verdicts:
        verdict = Verdict.USED  # settled whatever the other uses turn on
    elif all(v is Verdict.NOT_USED for v in verdicts):
        verdict = Verdict.NOT_USED
    elif Verdict.CONDITIONAL in verdicts and (
        any(_can_be(d, Verdict.USED) for _, d in parts) or all(_can_be(d, Verdict.NOT_USED) for _, d in parts)
    ):
        verdict = Verdict.CONDITIONAL
    else:
        # Whatever the open facts turn out to be, no use is used and not every one is not used: the answer stays
        # unknown, and asking for those facts would change nothing (contract: conditional resolves by them).
        verdict = Verdict.UNKNOWN
    depends: set[str] = set()
    if verdict is Verdict.CONDITIONAL:
        depends = {p for _, d in parts if d.verdict is Verdict.CONDITIONAL for p in d.depends_on}
    primary = parts[0][1]  # the platform's own use comes first when it has rules
    sources: dict[str, object] = {}
    for _, d in parts:
        sources.update({s.id: s for s in d.sources})
    return Decision(
        category_id=category_id,
        verdict=verdict,
        summary=phrase("by_use.summary", parts=tuple((use.value, d.summary) for use, d in parts)),
        reasons=tuple(phrase("by_use.reason", use=use.value, reason=r) for use, d in parts for r in d.reasons),
        depends_on=tuple(p for p in DEPENDS_ON_ORDER if p in depends),
        rule=primary.rule,
        opt_out=primary.opt_out or next((d.opt_out for _, d in parts if d.opt_out is not None), None),
        sources=tuple(sources.values()),  # type: ignore[arg-type]
        rule_ids=tuple(dict.fromkeys(rule_id for _, d in parts for rule_id in d.rule_ids)),
    )


def _can_be(decision: Decision, verdict: Verdict) -> bool:
    """Return whether a decision can come to the verdict once the facts it leaves open are given (a conditional one
    that does not say what it can lead to: any)."""
    if decision.outcomes:
        return verdict in decision.outcomes
    return decision.verdict is verdict or decision.verdict is Verdict.CONDITIONAL
