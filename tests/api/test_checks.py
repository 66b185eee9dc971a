"""POST /v1/ai-training/checks: many questions in one call, a bad one failing alone."""

import json

CHECKS = "/v1/ai-training/checks"
GOOD = {
    "platform": "instagram",
    "category": "public-posts",
    "country": "DE",
    "as_of": "2025-09-01",
    "age": 30,
    "objected": False,
}


def test_results_come_in_order_and_a_bad_check_fails_alone(client):
    checks = [
        GOOD,
        {**GOOD, "platform": "nope"},
        {**GOOD, "category": "selfies"},
        {**GOOD, "age": 12},
        {"platform": "instagram", "country": "DE"},
        {**GOOD, "colour": "red"},
        "not an object",
    ]
    response = client.post(CHECKS, json={"checks": checks})
    assert response.status_code == 200
    body = response.json()
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [200, 404, 422, 200, 422, 422, 422]
    first, bad_platform, bad_category, minor, no_category, unknown_field, _ = body["results"]
    # A check names its platform in the field `platform` (a single question has it in the path, `platform_id`).
    assert bad_platform["param"] == "platform" and "instagram" in bad_platform["valid"]
    assert first["platform"]["id"] == "instagram" and first["decision"]["verdict"] == "used"
    assert minor["decision"]["verdict"] == "not_used"
    assert bad_category["param"] == "category" and "public-posts" in bad_category["valid"]
    assert no_category["param"] == "category" and unknown_field["param"] == "colour"
    assert body["dataset_revision"] == first["dataset_revision"]


def test_a_check_answers_like_the_single_endpoint(client):
    single = client.get(
        "/v1/platforms/instagram/ai-training",
        params={k: v for k, v in GOOD.items() if k != "platform"} | {"objected": "false"},
    ).json()
    [result] = client.post(CHECKS, json={"checks": [GOOD]}).json()["results"]
    assert result["decision"] == single["decisions"][0]
    assert {k: result[k] for k in ("platform", "country", "jurisdictions", "as_of")} == {
        k: single[k] for k in ("platform", "country", "jurisdictions", "as_of")
    }


def test_checks_of_one_class_answer_like_the_single_endpoint_in_both_languages(client):
    # Eight questions of one class (the same rule, days after every rule date, the same situation) from countries
    # in the same groups: from the third on they come from the class's template, with their own country and day.
    days = ["2025-09-01", "2025-09-20", "2025-10-11", "2025-11-30", "2026-01-02", "2026-02-14", "2026-03-03"]
    checks = [
        {**GOOD, "country": country, "as_of": day, "age": 40}
        for country, day in zip(["DE", "FR", "IT", "ES", "NL", "AT", "IE"], days, strict=True)
    ]
    from app.serving.rule_checks import RULE_CHECKS

    for lang in ("en", "de"):
        results = client.post(CHECKS, json={"checks": checks}, params={"lang": lang}).json()["results"]
        memo = client.app.state.services.store.snapshot.memo[RULE_CHECKS]
        assert [v for k, v in memo.items() if lang in k and isinstance(v, tuple)]  # a template served
        for check, result in zip(checks, results, strict=True):
            params = {k: str(v).lower() for k, v in check.items() if k != "platform"} | {"lang": lang}
            single = client.get("/v1/platforms/instagram/ai-training", params=params).json()
            assert result["decision"] == single["decisions"][0]
            assert (result["country"], result["as_of"]) == (check["country"], check["as_of"])
            assert result["jurisdictions"] == single["jurisdictions"]


def test_a_batch_sent_again_is_answered_whole_from_the_cache(client, monkeypatch):
    import app.serving.answers

    computed = []  # one entry a batch worked out (its checks' lane is made once a batch)
    lane = app.serving.answers.plain_checks
    monkeypatch.setattr(app.serving.answers, "plain_checks", lambda *a: computed.append(1) or lane(*a))
    checks = [GOOD, {**GOOD, "country": "US"}, {**GOOD, "category": "private-messages"}]
    body = json.dumps({"checks": checks})
    headers = {"Content-Type": "application/json"}
    first, second, third = (client.post(CHECKS, content=body, headers=headers) for _ in range(3))
    assert first.status_code == second.status_code == third.status_code == 200
    assert first.content == second.content == third.content
    # The first time leaves a mark only (most batches come once), the second keeps the answer, the third reads it.
    assert len(computed) == 2
    # The same checks written otherwise are other bytes: worked out again, to the same results.
    spaced = client.post(CHECKS, content=json.dumps({"checks": checks}, indent=1), headers=headers)
    assert spaced.content == first.content and len(computed) == 3
    # Another language is another answer.
    german = client.post(CHECKS, content=body, headers=headers, params={"lang": "de"})
    assert german.headers["content-language"] == "de" and german.content != first.content


def test_a_batch_seen_once_leaves_a_mark_not_its_answer(client):
    store = client.app.state.services.store
    single = client.get("/v1/platforms/instagram/ai-training", params={"category": "public-posts", "country": "DE"})
    held, (hits, misses) = store.answers.cost, store.answers.stats
    checks = [{**GOOD, "country": country} for country in ("DE", "FR", "IT", "ES", "NL")]
    answer = client.post(CHECKS, json={"checks": checks})
    assert answer.status_code == 200 and len(answer.content) > 2000
    # A mark of about a kilobyte is all the cache holds for it, not the answer's bytes.
    assert 0 < store.answers.cost - held < 2000
    again = client.get("/v1/platforms/instagram/ai-training", params={"category": "public-posts", "country": "DE"})
    assert again.content == single.content and store.answers.stats[0] == hits + 1  # the single answer still cached
    # Reading the mark the second time counts a miss in the metrics: no answer came from the cache.
    client.post(CHECKS, json={"checks": checks})
    assert store.answers.stats[1] >= misses + 2 and store.answers.cost - held > len(answer.content)


def test_a_check_quoting_an_unpaired_surrogate_fails_alone(client):
    # A field named by an unpaired surrogate: its problem names the field in `param`, which UTF-8 cannot encode.
    body = json.dumps({"checks": [GOOD, {**GOOD, "\ud800": 1}, GOOD]})  # json writes it escaped, "\\ud800"
    response = client.post(CHECKS, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    good, bad, again = response.json()["results"]
    assert good == again and good["status"] == 200 and good["decision"]["verdict"] == "used"
    assert bad["status"] == 422 and bad["param"] == "?"  # replaced, as every answer replaces what UTF-8 cannot encode


def test_more_than_1000_checks_is_413(client):
    response = client.post(CHECKS, json={"checks": [GOOD] * 1001})
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
    assert client.post(CHECKS, json={"checks": [GOOD] * 1000}).status_code == 200


def test_a_body_over_the_size_limit_is_413(client):
    response = client.post(
        CHECKS, content=b'{"checks": [' + b" " * 3_000_000 + b"]}", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_a_body_that_is_not_a_batch_is_422(client):
    assert client.post(CHECKS, content=b"{oops", headers={"Content-Type": "application/json"}).status_code == 422
    assert client.post(CHECKS, json={"questions": []}).json()["param"] == "checks"
    # A member beside "checks" (a misspelt option) is named, as an unknown field of a check is.
    refused = client.post(CHECKS, json={"checks": [GOOD], "langauge": "de"})
    assert refused.status_code == 422 and refused.json()["param"] == "langauge"


def _nested(levels: int) -> object:
    """Return a value that is `levels` lists deep (0: a string)."""
    value: object = "x"
    for _ in range(levels):
        value = [value]
    return value


def test_a_body_nested_to_the_limit_is_read_and_one_level_more_is_422(client):
    from app.api.bodies import MAX_DEPTH

    # The body object and the checks list are two levels, the check's object a third.
    fits = client.post(CHECKS, json={"checks": [{**GOOD, "country": _nested(MAX_DEPTH - 3)}]})
    assert fits.status_code == 200 and fits.json()["results"][0]["param"] == "country"
    deeper = client.post(CHECKS, json={"checks": [{**GOOD, "country": _nested(MAX_DEPTH - 2)}]})
    assert deeper.status_code == 422 and "nested" in deeper.json()["detail"]


def test_an_age_beyond_64_bits_gets_the_message_of_any_age_out_of_range(client):
    # orjson would read it as a float ("age must be a string or an integer"); the json module reads the integer.
    body = b'{"checks": [{"platform": "instagram", "category": "public-posts", "age": 18446744073709551616}]}'
    response = client.post(CHECKS, content=body, headers={"Content-Type": "application/json"})
    (result,) = response.json()["results"]
    assert result["status"] == 422 and result["param"] == "age"
    assert result["detail"] == "'18446744073709551616' is not a whole number of years from 0 to 150."


def test_a_batch_is_read_on_a_worker_thread_and_charged_on_the_event_loop_first(client, monkeypatch):
    import threading

    import app.api.routes.decisions as route

    seen: dict[str, threading.Thread] = {}
    order = []
    parse, charge, answer = route.parse_document, route.charge, route._answer_checks

    def parse_here(*args, **options):
        seen["read"] = threading.current_thread()
        return parse(*args, **options)

    async def charge_here(*args):
        seen["charged"] = threading.current_thread()
        order.append("charged")
        await charge(*args)

    def answer_here(*args):
        seen["answered"] = threading.current_thread()
        order.append("answered")
        return answer(*args)

    monkeypatch.setattr(route, "parse_document", parse_here)
    monkeypatch.setattr(route, "charge", charge_here)
    monkeypatch.setattr(route, "_answer_checks", answer_here)
    assert client.post(CHECKS, json={"checks": [GOOD, GOOD]}).status_code == 200
    # Read and answered off the event loop; the rate limit counts on the loop, as every other request's, first.
    loop = seen["charged"]
    assert seen["read"] is not loop and seen["answered"] is not loop and order == ["charged", "answered"]
    assert client.post(CHECKS, json={"checks": "no"}).status_code == 422  # its problems come back the same way


def test_a_refused_batch_waits_for_no_batch_slot(client):
    from concurrent.futures import ThreadPoolExecutor

    limiter = client.app.state.batch_threads
    borrowers = [object() for _ in range(int(limiter.total_tokens))]
    for borrower in borrowers:  # every slot busy, as under a flood of large batches
        client.portal.call(limiter.acquire_on_behalf_of_nowait, borrower)
    pool = ThreadPoolExecutor(1)
    try:
        for body, status in (({"checks": "no"}, 422), ({"checks": [GOOD] * 1001}, 413), ({"check": []}, 422)):
            # Refused at once: reading and checking the body takes no slot.
            assert pool.submit(client.post, CHECKS, json=body).result(timeout=10).status_code == status
    finally:
        for borrower in borrowers:  # before the pool waits for a request still queued for a slot, if one is
            client.portal.call(limiter.release_on_behalf_of, borrower)
        pool.shutdown()
    assert client.post(CHECKS, json={"checks": [GOOD]}).status_code == 200
