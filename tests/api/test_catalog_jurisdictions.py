"""GET /v1/jurisdictions: countries, groups with their member countries, and GLOBAL."""

from __future__ import annotations

import pytest
from catalog_support import bearer


def _jurisdictions(client, **params):
    return client.get("/v1/jurisdictions", params={"limit": 1000, **params}).json()["items"]


def test_kind_filters_and_groups_list_their_member_countries(client):
    groups = {j["code"]: j for j in _jurisdictions(client, kind="group")}
    assert {"EU", "EEA"} <= set(groups) and {j["kind"] for j in groups.values()} == {"group"}
    assert {"DE", "FR"} <= set(groups["EU"]["members"]) and "NO" not in groups["EU"]["members"]
    assert "NO" in groups["EEA"]["members"] and groups["EU"]["members"] == sorted(groups["EU"]["members"])
    countries = _jurisdictions(client, kind="country")
    assert len(countries) > 200 and all(c["members"] == [] for c in countries)
    assert [j["code"] for j in _jurisdictions(client, kind="global")] == ["GLOBAL"]
    assert len(_jurisdictions(client)) == len(groups) + len(countries) + 1


def test_a_code_is_found_in_any_case(client):
    assert client.get("/v1/jurisdictions/de").json()["code"] == "DE"
    assert client.get("/v1/jurisdictions/GLOBAL").json()["kind"] == "global"


def test_an_unknown_kind_is_422(client):
    response = client.get("/v1/jurisdictions", params={"kind": "planet"})
    assert response.status_code == 422 and response.json()["param"] == "kind"


def test_a_group_is_written_with_its_members_which_must_be_countries(write_client, seeded_url):
    auth = bearer(seeded_url)
    group = {"code": "DACH", "name": "Germany, Austria, Switzerland", "kind": "group", "members": ["DE", "CH", "AT"]}
    created = write_client.post("/v1/jurisdictions", json=group, headers=auth)
    assert created.status_code == 201 and created.json()["members"] == ["AT", "CH", "DE"]
    bad = write_client.patch("/v1/jurisdictions/DACH", json={"members": ["DE", "EU"]}, headers=auth)
    assert bad.status_code == 422 and bad.json()["param"] == "members[1]"
    refers = write_client.delete("/v1/jurisdictions/CH", headers=auth)
    assert refers.status_code == 409 and "jurisdiction DACH" in refers.json()["referred_by"]


def test_a_country_a_group_lists_cannot_become_a_group(write_client, seeded_url):
    # Before: stored, and the export of that database no longer imported ("AT is a group, not a country").
    auth = bearer(seeded_url)
    refused = write_client.patch("/v1/jurisdictions/AT", json={"kind": "group", "members": ["FR"]}, headers=auth)
    assert refused.status_code == 422, refused.text
    assert refused.json()["param"] == "kind"
    assert "'AT' is a member of 'EEA', 'EU'" in refused.json()["detail"]
    assert write_client.get("/v1/jurisdictions/AT").json()["kind"] == "country"  # nothing was stored
    # A country no group lists may become one (Antarctica: no group, no rule).
    regrouped = write_client.patch("/v1/jurisdictions/AQ", json={"kind": "group", "members": ["FR"]}, headers=auth)
    assert regrouped.status_code == 200, regrouped.text


def test_a_path_names_the_same_record_for_every_method_in_any_case(write_client, seeded_url):
    """Before: GET /v1/jurisdictions/de answered Germany, but PATCH and DELETE of the same URL were 404, and the
    aliases UK and EL worked on `country` but not on jurisdiction paths or filters."""
    auth = bearer(seeded_url)
    read = write_client.get("/v1/jurisdictions/de")
    assert read.status_code == 200 and read.json()["code"] == "DE"
    patched = write_client.patch(
        "/v1/jurisdictions/de", json={"name": "Deutschland"}, headers={**auth, "If-Match": read.headers["etag"]}
    )
    assert patched.status_code == 200, patched.text
    assert write_client.get("/v1/jurisdictions/DE").json()["name"] == "Deutschland"
    assert write_client.get("/v1/jurisdictions/uk").json()["code"] == "GB"
    by_alias = write_client.get("/v1/rules", params={"jurisdiction": "uk", "limit": 1000}).json()["items"]
    by_code = write_client.get("/v1/rules", params={"jurisdiction": "GB", "limit": 1000}).json()["items"]
    assert by_alias == by_code and by_code
    source = write_client.get("/v1/sources/m1")
    assert source.status_code == 200 and source.json()["id"] == "M1"
    assert write_client.patch("/v1/sources/m1", json={"title": "Renamed"}, headers=auth).status_code == 200
    assert write_client.get("/v1/sources/M1").json()["title"] == "Renamed"
    # Deleting through the lower-case path reaches the record too: here it is refused for its referrers (409).
    assert write_client.delete("/v1/jurisdictions/de", headers=auth).status_code == 409


@pytest.mark.parametrize("code", ["ZZ", "QM", "XK"])
def test_a_country_must_be_an_iso_3166_1_country(write_client, seeded_url, code):
    # Contract: a country not in ISO 3166-1 is 422; before, a user-assigned code was stored as a country, and
    # `country=zz` then answered 200.
    refused = write_client.post(
        "/v1/jurisdictions", json={"code": code, "name": "Nowhere", "kind": "country"}, headers=bearer(seeded_url)
    )
    assert refused.status_code == 422 and refused.json()["param"] == "code", refused.text
    assert f'"{code}" is not an ISO 3166-1 alpha-2 country' in refused.json()["detail"]
    assert write_client.get(f"/v1/jurisdictions/{code}").status_code == 404


def test_a_put_to_a_path_in_another_case_replaces_the_record_the_path_reads(write_client, seeded_url):
    auth = bearer(seeded_url)
    source = write_client.get("/v1/sources/M1").json()
    record = {k: v for k, v in source.items() if k != "version"}
    replaced = write_client.put("/v1/sources/m1", json={**record, "title": "Put through m1"}, headers=auth)
    assert replaced.status_code == 200, replaced.text
    assert write_client.get("/v1/sources/M1").json()["title"] == "Put through m1"
    # A body spelled like the path, not as the record is stored, is told how it is stored.
    lower = write_client.put("/v1/sources/m1", json={**record, "id": "m1"}, headers=auth)
    assert lower.status_code == 422 and lower.json()["param"] == "id", lower.text
    assert "stored as 'M1'" in lower.json()["detail"]
    jurisdiction = {k: v for k, v in write_client.get("/v1/jurisdictions/GB").json().items() if k != "version"}
    alias = write_client.put("/v1/jurisdictions/UK", json={**jurisdiction, "code": "UK"}, headers=auth)
    assert alias.status_code == 422 and "stored as 'GB'" in alias.json()["detail"], alias.text
