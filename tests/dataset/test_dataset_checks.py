"""Cross-record checks on a Dataset built in memory, as the import code and the API use them."""

from __future__ import annotations

import pytest

from app.dataset import Dataset, DatasetError, Issue, check_dataset, validate_dataset
from app.dataset.checks import summary

Q_X1 = {"id": "X1", "quote": "X has agreed to suspend its processing of the personal data"}


def test_valid_dataset_passes(base) -> None:
    dataset = Dataset.model_validate(base)
    assert check_dataset(dataset) == []
    validate_dataset(dataset)


def test_issue_carries_location_and_missing_reference(base) -> None:
    base["rules"][0]["platform"] = "twiter"
    assert check_dataset(Dataset.model_validate(base)) == [
        Issue(("rules", 0, "platform"), 'unknown platform "twiter"', missing=("platforms", "twiter"))
    ]


def test_validate_without_origin_reports_dataset_paths(base) -> None:
    base["rules"][2]["sources"] = ["X9"]
    with pytest.raises(DatasetError) as caught:
        validate_dataset(Dataset.model_validate(base))
    assert caught.value.errors == ['rules[2].sources[0]: unknown source "X9"']


def test_validate_with_origin_reports_file_paths(base) -> None:
    base["rules"][2]["sources"] = ["X9"]
    base["rules"].append(dict(base["rules"][0]))
    origin = {("rules", 0): ("meta.yaml", 4), ("rules", 2): ("x.yaml", 1), ("rules", 5): ("more.yaml", 0)}
    with pytest.raises(DatasetError) as caught:
        validate_dataset(Dataset.model_validate(base), origin=origin)
    assert caught.value.errors == [
        'more.yaml: rules[0].id: duplicate rule id "facebook-eea-public-posts-2025" (first at meta.yaml: rules[4])',
        'x.yaml: rules[1].sources[0]: unknown source "X9"',
        'more.yaml: rules[0]: overlaps rule "facebook-eea-public-posts-2025" '
        "(same platform, category and jurisdiction, overlapping dates)",
    ]
    assert str(caught.value).startswith("3 problem(s) in the dataset:\n")


RULE = {
    "platform": "x",
    "category": "public-posts",
    "jurisdiction": "EU",
    "treatment": "not_used",
    "summary": "s",
    "sources": [Q_X1],
}


@pytest.mark.parametrize(
    ("first", "second", "overlap"),
    [
        ({}, {}, True),  # both always in force, for every post
        ({"effective_until": "2025-05-26"}, {"effective_from": "2025-05-27"}, False),  # hand-over day to day
        ({"effective_until": "2025-05-27"}, {"effective_from": "2025-05-27"}, True),  # both in force on one day
        ({"effective_from": "2025-01-01", "effective_until": "2025-01-31"}, {"effective_until": "2024-12-31"}, False),
        ({"effective_from": "2025-01-01"}, {"effective_from": "2030-01-01"}, True),  # the first is open-ended
        ({"posted_until": "2024-05-06"}, {"posted_from": "2024-05-07"}, False),  # same days, separate posts
        ({"posted_from": "2024-05-07", "posted_until": "2024-08-01"}, {"posted_from": "2024-08-01"}, True),
        (
            {"posted_until": "2024-05-06", "effective_until": "2025-01-01"},
            {"posted_from": "2024-05-07", "effective_from": "2024-01-01"},
            False,
        ),  # dates overlap, posts do not
        ({"effective_until": "2024-12-31"}, {"effective_from": "2025-01-01", "posted_until": "2024-01-01"}, False),
    ],
)
def test_overlap_needs_shared_days_and_shared_posts(base, first, second, overlap) -> None:
    base["rules"] = [{**RULE, "id": "a", **first}, {**RULE, "id": "b", **second}]
    issues = check_dataset(Dataset.model_validate(base))
    assert [issue.loc for issue in issues] == ([("rules", 1)] if overlap else [])


def test_rules_of_another_scope_never_overlap(base) -> None:
    base["rules"] = [
        {**RULE, "id": "a"},
        {**RULE, "id": "b", "jurisdiction": "EEA"},
        {**RULE, "id": "c", "category": "private-messages"},
        {**RULE, "id": "d", "platform": "facebook"},
        {**RULE, "id": "e", "used_by": "third-parties"},
    ]
    assert check_dataset(Dataset.model_validate(base)) == []


def test_replaces_loop_through_two_deadlines(base) -> None:
    first = base["deadlines"][0]
    base["deadlines"] = [dict(first, id="a", replaces="b"), dict(first, id="b", replaces="a")]
    base["rules"][0]["opt_out"]["deadline"] = "a"
    assert [(i.loc, i.message) for i in check_dataset(Dataset.model_validate(base))] == [
        (("deadlines", 0, "replaces"), "replaces goes round in a loop: a -> b -> a"),
        (("deadlines", 1, "replaces"), "replaces goes round in a loop: b -> a -> b"),
    ]


def test_a_deadline_or_an_opt_out_of_another_platform_is_refused(base) -> None:
    # Another platform's deadline would move this one's answers (replaces) or set its opt-out's date.
    first = base["deadlines"][0]
    other = "x" if first["platform"] != "x" else "facebook"
    base["deadlines"] += [dict(first, id="elsewhere", platform=other, replaces=first["id"])]
    base["rules"].append({**base["rules"][0], "id": "elsewhere-rule", "platform": other})
    found = [(i.loc, i.message) for i in check_dataset(Dataset.model_validate(base))]
    own = f'("{other}")'
    assert (
        ("deadlines", len(base["deadlines"]) - 1, "replaces"),
        f'deadline "{first["id"]}" is one of platform '
        f'"{first["platform"]}"; name a deadline of this record\'s own platform {own}',
    ) in found
    assert any(loc == ("rules", len(base["rules"]) - 1, "opt_out", "deadline") for loc, _ in found), found


def test_replaces_chain_without_loop_is_fine(base) -> None:
    first = base["deadlines"][0]
    base["deadlines"] += [dict(first, id="a", replaces=first["id"]), dict(first, id="b", replaces="a")]
    assert check_dataset(Dataset.model_validate(base)) == []


@pytest.mark.parametrize(
    ("citations", "shortfall"),
    [
        ([{"id": "M17", "quote": "Ein Widerspruch"}], "1 publisher(s) quoted, no primary source"),
        ([{"id": "M1"}, {"id": "X1"}], "0 publisher(s) quoted, no primary source, 2 citation(s) without a quote"),
        (
            [{"id": "A1", "quote": "a"}, {"id": "A2", "quote": "b"}],
            "0 publisher(s) quoted, no primary source, 2 aggregator(s), which do not count",
        ),
        # Two copies of one publisher's story are one publisher.
        ([{"id": "M17", "quote": "a"}, {"id": "S2", "quote": "b"}], "1 publisher(s) quoted, no primary source"),
    ],
)
def test_a_decided_rule_on_too_little_is_reported_by_name(base, citations, shortfall) -> None:
    base["sources"] += [
        {
            "id": "A1",
            "url": "https://conductatlas.com/x",
            "title": "t",
            "publisher": "conductatlas",
            "retrieved_on": "2026-11-26",
            "kind": "aggregator",
        },
        {
            "id": "A2",
            "url": "https://particle.news/x",
            "title": "t",
            "publisher": "Particle",
            "retrieved_on": "2026-11-26",
            "kind": "aggregator",
        },
        {
            "id": "S2",
            "url": "https://copy.example/x",
            "title": "t",
            "publisher": "dpa/tmn (copy)",
            "retrieved_on": "2026-11-26",
            "kind": "secondary",
        },
    ]
    base["rules"][1]["sources"] = citations
    issues = check_dataset(Dataset.model_validate(base))
    assert [(i.loc, i.message) for i in issues] == [
        (
            ("rules", 1, "sources"),
            (
                f'rule "facebook-global-private-messages" is not_used on too little ({shortfall}); '
                "a decided rule needs a quoted primary source or two independent publishers, "
                "else make it unknown with the reason"
            ),
        )
    ]
    # The same citations are enough for an unknown rule, which says what is not confirmed.
    base["rules"][1]["treatment"] = "unknown"
    assert check_dataset(Dataset.model_validate(base)) == []


def test_two_independent_publishers_are_enough_to_decide(base) -> None:
    base["sources"].append(
        {
            "id": "S2",
            "url": "https://press.example/x",
            "title": "t",
            "publisher": "Reuters",
            "retrieved_on": "2026-11-26",
            "kind": "secondary",
        }
    )
    base["rules"][1]["sources"] = [{"id": "M17", "quote": "a"}, {"id": "S2", "quote": "b"}]
    assert check_dataset(Dataset.model_validate(base)) == []


def test_summary_counts_decided_unknown_and_each_confidence(base) -> None:
    base["rules"][1]["treatment"] = "unknown"
    base["rules"][1]["sources"] = [{"id": "M17", "quote": "a"}]
    base["rules"][4]["sources"] = [{"id": "M1"}, {"id": "M17", "quote": "a"}, {"id": "X1", "quote": "b"}]
    assert summary(Dataset.model_validate(base)) == "rules: 4 decided, 1 unknown; confidence: 4 high, 1 medium, 0 low"
