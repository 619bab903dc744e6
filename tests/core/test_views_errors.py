"""Error pages speak to the user in their language and never leak what they may not see."""


def test_not_found_page_says_the_record_may_be_out_of_reach(login, company):
    response = login("partner").get(f"/accounts/{company.partner2.pk}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "holds records your role may not see" in body
    assert company.partner2.name not in body


def test_not_found_page_is_translated(login, company):
    client = login("partner")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "返回首页" in response.content.decode()
