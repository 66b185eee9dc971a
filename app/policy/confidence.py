"""Derive a rule's confidence from the citations that support it (contract v1.1), and rank citations."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .model import Confidence

PRIMARY, SECONDARY, AGGREGATOR = "primary", "secondary", "aggregator"
# Strongest first: the order answers list their citations in.
KIND_RANK = {PRIMARY: 0, SECONDARY: 1, AGGREGATOR: 2}


@dataclass(frozen=True, slots=True)
class Support:
    """What a rule's quoted citations amount to: primary sources and independent publishers."""

    primary: int  # quoted citations of primary sources
    publishers: int  # independent publishers among the quoted primary and secondary citations
    aggregators: int  # quoted citations of aggregators, which never count as independent support
    unquoted: int  # citations without a quote: they prove nothing about this rule

    @property
    def confidence(self) -> Confidence:
        """Return high (a primary source, or three publishers), medium (one or two), or low."""
        if self.primary or self.publishers >= 3:
            return Confidence.HIGH
        if self.publishers >= 1:
            return Confidence.MEDIUM
        return Confidence.LOW

    @property
    def enough_to_decide(self) -> bool:
        """Return whether a decided answer may rest on it: a primary source or two independent publishers."""
        return self.primary >= 1 or self.publishers >= 2

    def shortfall(self) -> str:
        """Say in words what the support lacks, for a maintainer's error message."""
        parts = [f"{self.publishers} publisher(s) quoted, no primary source"]
        if self.aggregators:
            parts.append(f"{self.aggregators} aggregator(s), which do not count")
        if self.unquoted:
            parts.append(f"{self.unquoted} citation(s) without a quote")
        return ", ".join(parts)


def publisher_key(publisher: str) -> str:
    """Return the publisher a source counts as, so copies of one publisher's story count once."""
    # "Reuters via Folha de S.Paulo" and "The Verge (copy)" are Reuters and The Verge; nor do case and spacing
    # make a new publisher.
    name = re.sub(r"\([^)]*\)", " ", publisher.lower().split(" via ")[0])
    return " ".join(name.split())


def support(citations: Iterable[tuple[str, str, bool]]) -> Support:
    """Weigh (kind, publisher, quoted) triples, one per citation."""
    primary = aggregators = unquoted = 0
    publishers: set[str] = set()
    for kind, publisher, quoted in citations:
        if not quoted:
            unquoted += 1
        elif kind == AGGREGATOR:
            aggregators += 1
        else:
            primary += kind == PRIMARY
            publishers.add(publisher_key(publisher))
    return Support(primary=primary, publishers=len(publishers), aggregators=aggregators, unquoted=unquoted)
