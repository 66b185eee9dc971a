"""The texts the bench compresses alone for the whole-platform answer's floor (bench/answer_texts.py)."""

from __future__ import annotations

from tests.bench_code import bench_module

answer_texts = bench_module("answer_texts")

QUOTE = "plans to begin training of its generative AI model(s) on 27 May 2025."
SUMMARY = "Used for training Meta AI since 2025-05-27 unless you objected in time."


def test_each_long_text_once_in_order_of_first_appearance() -> None:
    answer = {
        "summary": SUMMARY,
        "categories": [
            {"id": "public-posts", "sources": [{"quote": QUOTE, "url": "https://example.org/a"}]},
            {"id": "comments", "sources": [{"quote": QUOTE}], "reasons": [SUMMARY, 18, None, True]},
        ],
    }
    assert answer_texts.distinct_texts(answer) == f"{SUMMARY}\n{QUOTE}".encode()


def test_short_texts_ids_and_numbers_are_left_out() -> None:
    answer = {"id": "public-posts", "as_of": "2025-09-01", "min_age": 18, "url": "https://example.org/a/b"}
    assert answer_texts.distinct_texts(answer) == b""
    assert answer_texts.distinct_texts({"x": "a" * 41}, longer_than=40) == b"a" * 41
    assert answer_texts.distinct_texts({"x": "a" * 40}, longer_than=40) == b""
