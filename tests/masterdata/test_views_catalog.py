"""Products, prices per price book and standard costs (internal only), price books, org tree."""

import datetime as dt
from decimal import Decimal

import pytest

from salesops.masterdata.models import PriceBook, PriceBookEntry, Product, StandardCost


@pytest.fixture
def catalog(company):
    product = Product.objects.create(sku="PUMP-100", name="Circulation pump")
    book = PriceBook.objects.create(name="China list", currency="CNY", is_standard=True)
    dealer = PriceBook.objects.create(name="Dealer", currency="CNY")
    PriceBookEntry.objects.create(
        price_book=book,
        product=product,
        unit_price=Decimal("1280.00"),
        valid_from=dt.date(2026, 1, 1),
    )
    PriceBookEntry.objects.create(
        price_book=dealer,
        product=product,
        unit_price=Decimal("990.00"),
        valid_from=dt.date(2026, 1, 1),
    )
    StandardCost.objects.create(
        product=product, cost=Decimal("612.35"), currency="CNY", valid_from=dt.date(2026, 1, 1)
    )
    return product, book, dealer


def test_product_detail_lists_prices_per_price_book(login, company, catalog):
    product, _book, _dealer = catalog
    body = login("rep").get(f"/accounts/products/{product.pk}/").content.decode()
    assert "China list" in body and "1,280.00" in body
    assert "Dealer" in body and "990.00" in body


def test_staff_see_standard_costs(login, company, catalog):
    product, _, _ = catalog
    body = login("finance").get(f"/accounts/products/{product.pk}/").content.decode()
    assert "612.35" in body


def test_partners_never_see_standard_costs(login, company, catalog):
    product, _, _ = catalog
    response = login("partner").get(f"/accounts/products/{product.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "612.35" not in body
    assert "Standard costs" not in body


def test_price_books_page_lists_active_books_with_price_counts(login, company, catalog):
    response = login("coordinator").get("/accounts/price-books/")
    books = {b.name: b.entry_count for b in response.context["books"]}
    assert books == {"China list": 1, "Dealer": 1}


def test_price_book_page_lists_its_prices(login, company, catalog):
    _, book, _ = catalog
    body = login("coordinator").get(f"/accounts/price-books/{book.pk}/").content.decode()
    assert "PUMP-100" in body and "1,280.00" in body and "990.00" not in body


def test_unknown_price_book_is_404(login, company):
    assert login("coordinator").get("/accounts/price-books/999999/").status_code == 404


def test_org_tree_indents_by_level_names_the_level_and_lists_people(login, company):
    response = login("coordinator").get("/org/")
    units = {u.name: u for u in response.context["units"]}
    assert units["Pudong North"].level == 4
    assert [p.name for p in units["Pudong North"].people_shown] == ["Li Wei"]
    body = response.content.decode()
    assert "--level: 4" in body and "Territory" in body and "Market Unit" in body


def test_manager_org_tree_is_their_subtree(login, company):
    units = login("manager").get("/org/").context["units"]
    assert [u.name for u in units] == ["Pudong Market", "Pudong North", "Pudong South"]
    assert [u.depth for u in units] == [0, 1, 1]  # indented from the manager's own unit


def test_partner_cannot_open_the_org_tree(login, company):
    assert login("partner").get("/org/").status_code == 404


def test_the_price_in_force_today_is_marked_current(login, company, catalog):
    product, book, _ = catalog
    today = dt.date.today()
    PriceBookEntry.objects.create(
        price_book=book,
        product=product,
        unit_price=Decimal("1500.00"),
        valid_from=today + dt.timedelta(days=30),
    )
    PriceBookEntry.objects.create(
        price_book=book,
        product=product,
        unit_price=Decimal("1200.00"),
        valid_from=dt.date(2025, 1, 1),
    )
    rows = login("coordinator").get(f"/accounts/price-books/{book.pk}/").context["prices"]
    assert [(str(e.unit_price), e.is_current) for e in rows] == [
        ("1500.0000", False),
        ("1280.0000", True),
        ("1200.0000", False),
    ]
