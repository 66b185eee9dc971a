"""The German catalog: dates as German readers write them, and its sentences built like the English ones."""

from __future__ import annotations

from datetime import date

from app.policy.model import phrase
from app.policy.wording import Wording

GERMAN = Wording("de")


def test_dates_are_written_out_in_german():
    assert GERMAN(phrase("in_time.deadline", day=date(2025, 5, 26))) == "bis zum 26. Mai 2025"
    window = phrase("window.between", start=date(2024, 5, 7), end=date(2024, 8, 1))
    assert GERMAN(window) == "vom 7. Mai 2024 bis zum 1. August 2024"


def test_a_subordinate_clause_is_set_off_with_commas():
    effective = phrase(
        "reason.in_time_keeps_out", in_time=phrase("in_time.effective", day=date(2023, 4, 25)), passed_before=None
    )
    assert (
        GERMAN(effective) == "Ein Widerspruch, bevor die Regel am 25. April 2023 in Kraft trat, hält alle Ihre "
        "Inhalte heraus."
    )


def test_categories_are_named_in_german_and_countries_keep_their_codes():
    no_rule = phrase(
        "summary.no_rule",
        no_rule=phrase(
            "no_rule",
            category_id="private-messages",
            category="Private messages",
            platform="Threads",
            where="DE",
            day=date(2025, 9, 1),
        ),
    )
    assert (
        GERMAN(no_rule) == "Unbekannt: keine bestätigte Regel für private Nachrichten auf Threads in DE am "
        "1. September 2025."
    )
    split = phrase(
        "summary.by_country",
        by_country=phrase(
            "by_country", parts=((("EEA", "CH"), "not_used", ()), ((None,), "conditional", ("objected",)))
        ),
    )
    assert GERMAN(split) == "Hängt von Ihrem Land ab: EEA, CH: nicht genutzt; anderswo: abhängig von Widerspruch."


def test_translated_rule_summaries_are_used():
    assert Wording("de", {"r1": "Genutzt."})(phrase("rule.summary", rule="r1", text="Used.")) == "Genutzt."
