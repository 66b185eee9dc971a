"""The weights (qvalues) of Accept-Language and Accept-Encoding, read as RFC 9110 section 12.4.2 defines them."""

from __future__ import annotations

import re

# `;q=` (the name in any case) and a qvalue from 0 to 1 with at most three decimals.
_WEIGHT = re.compile(r"\s*[qQ]\s*=\s*(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)\s*")


def weight(params: str) -> float | None:
    """Return the weight of a list item's parameters (1 when it has none), None when it is not a valid qvalue
    (`q=-1`, `q=2`, `q=NaN`, `q=0.9e-3`): such an item is dropped, not read as another weight."""
    if not params.strip():
        return 1.0
    match = _WEIGHT.fullmatch(params)
    return None if match is None else float(match.group(1))
