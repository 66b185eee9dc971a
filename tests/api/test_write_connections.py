"""A write through the API, as the database sees it: how many connections it takes."""

from catalog_support import bearer
from sqlalchemy import event

RULE = "instagram-eea-public-posts-2025"


def test_a_write_through_the_api_reloads_on_its_own_connection(write_client, seeded_url):
    """A PATCH takes two connections (the key lookup, then the write and the reload after it), each costing a ping."""
    headers = bearer(seeded_url)
    services = write_client.app.state.services
    before = services.store.snapshot.revision
    checkouts: list[int] = []

    def count(*_):
        checkouts.append(1)

    event.listen(services.engine.pool, "checkout", count)
    try:
        response = write_client.patch(f"/v1/rules/{RULE}", json={"notes": ["edited"]}, headers=headers)
    finally:
        event.remove(services.engine.pool, "checkout", count)
    assert response.status_code == 200, response.text
    assert len(checkouts) == 2
    assert services.store.snapshot.revision == before + 1  # the reload on the write's connection happened
    assert write_client.get(f"/v1/rules/{RULE}").json()["notes"] == ["edited"]
