"""Choose the language of an answer: the `lang` parameter, else the Accept-Language header, else English."""

from __future__ import annotations

from app.policy import QueryError
from app.policy.wording import DEFAULT_LANGUAGE, languages
from app.serving.qvalues import weight

LANGUAGES = languages()


def accepted(header: str | None) -> list[str]:
    """Return the language tags of an Accept-Language header, most preferred first.

    A tag with q=0 is refused, and one whose weight is not a valid qvalue (`q=-1`, `q=NaN`, `q=0.9e-3`) is dropped
    rather than read as another weight.
    """
    tags: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = weight(params)
        if quality is None:
            continue
        if tag.strip() and quality > 0:
            tags.append((-quality, index, tag.strip()))
    return [tag for *_, tag in sorted(tags)]


def from_header(accept_language: str | None) -> str:
    """Return the first language of the header that has a catalog, else English."""
    for tag in accepted(accept_language):
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def negotiate(param: str | None, accept_language: str | None) -> tuple[str, bool]:
    """Return the language and whether the header chose it (the answer then varies by Accept-Language).

    An explicit `lang` the service has no catalog for is an error, like any other bad parameter.
    """
    if param is None:
        return from_header(accept_language), True
    lang = param.strip().lower()
    if lang not in LANGUAGES:
        raise QueryError(
            422, "lang", f"{param!r} is not a language of this service; use one of {', '.join(LANGUAGES)}.", LANGUAGES
        )
    return lang, False


def region(accept_language: str | None) -> str | None:
    """Return the region of the most preferred Accept-Language tag that names one (de-AT -> AT), or None."""
    for tag in accepted(accept_language):
        for part in tag.split("-")[1:]:
            if len(part) == 2 and part.isalpha():
                return part.upper()
    return None
