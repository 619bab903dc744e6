"""The account list: scoped per role, prefix search, keyset paging, htmx partial."""


def _names(response) -> list[str]:
    return [a.name for a in response.context["accounts"]]


def test_rep_lists_only_own_accounts(login, company):
    names = _names(login("rep").get("/accounts/"))
    assert sorted(names) == sorted([company.acct_rep1.name, company.partner1.name])


def test_partner_lists_only_their_own_account(login, company):
    assert _names(login("partner").get("/accounts/")) == [company.partner1.name]


def test_search_matches_the_start_of_the_name_case_insensitively(login, company):
    assert _names(login("coordinator").get("/accounts/", {"q": "pudong"})) == [
        company.acct_rep2.name
    ]


def test_search_by_exact_account_number(login, company):
    assert _names(login("coordinator").get("/accounts/", {"q": "a0000005"})) == [
        company.outside.name
    ]


def test_htmx_search_returns_only_the_rows_fragment(login, company):
    response = login("coordinator").get("/accounts/", {"q": "Pudong"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert company.acct_rep2.name in body
    assert "<html" not in body


def test_keyset_paging_walks_every_account_once(login, company, monkeypatch):
    from salesops.masterdata import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = login("coordinator")
    seen, query = [], {}
    for _ in range(5):
        response = client.get("/accounts/", query)
        seen += _names(response)
        if not response.context["next_query"]:
            break
        from django.http import QueryDict

        query = QueryDict(response.context["next_query"])
    assert len(seen) == 5 == len(set(seen))


def test_no_match_explains_what_search_looks_at(login, company):
    body = login("coordinator").get("/accounts/", {"q": "zzz-nothing"}).content.decode()
    assert "No account matches these filters" in body
