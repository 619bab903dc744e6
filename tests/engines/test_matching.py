"""The matching engine: each kind of evidence with realistic bank strings, typo tolerance,
subset-sum, part and split payments, learning, and the batch path agreeing with the single one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from salesops.engines.matching import (
    AUTO,
    SUGGEST,
    ConfirmedMatch,
    Knowledge,
    OpenItem,
    Receipt,
    Settings,
    index_build,
    knowledge_learn,
    match_batch,
    match_receipt,
    results_settle,
)
from salesops.engines.matching.text import name_key, number_candidates

ACME = "Acme Trading Co., Ltd."
HX = "深圳华信科技有限公司"


def item(item_id, account_id, name, number, amount, due="2026-10-01", cur="CNY", **kw):
    return OpenItem(
        item_id=item_id,
        account_id=account_id,
        account_name=name,
        document_number=number,
        currency=cur,
        open_amount=D(amount),
        due_date=dt.date.fromisoformat(due),
        **kw,
    )


ITEMS = [
    item("1", "A", ACME, "INV-0010234", "12000.00", "2026-09-20"),
    item("2", "A", ACME, "INV-0010235", "8000.00", "2026-09-25"),
    item("3", "A", ACME, "INV-0010236", "5550.00", "2026-10-07"),
    item("4", "A", ACME, "INV-0010240", "3100.00", "2026-10-20"),
    item("5", "B", HX, "INV-0010237", "5550.00", "2026-10-07"),
    item("6", "B", HX, "INV-0010238", "20000.00", "2026-10-15", order_number="SO-0004711"),
    item("7", "C", "Borealis Logistics Limited", "INV-0010239", "990.00", "2026-10-01"),
    item("8", "D", "Acme Holdings Group Ltd", "INV-0010241", "777.00", "2026-10-01"),
]


def receipt(tid, amount, name="", text="", account="", cur="CNY", ref=""):
    day = dt.date(2026, 11, 2)
    return Receipt(tid, D(amount), cur, day, day, name, account, ref, text)


def only(result):
    assert result.proposals, result
    return {a.item_id: a.amount for a in result.best.allocations}


def reasons(result):
    return " | ".join(str(r) for r in result.best.reasons)


def test_invoice_numbers_in_remittance_and_bank_charges_book_automatically():
    r = receipt("t1", "19985.00", "ACME TRADING LTD", "ACME TRADING LTD INV 10234 10235 LESS CHGS")
    res = match_receipt(r, items=ITEMS)
    assert res.decision == AUTO
    assert set(only(res)) == {"1", "2"}
    assert sum(only(res).values()) == D("19985.00")
    assert sum(a.deduction for a in res.best.allocations) == D("15.00")
    text = reasons(res)
    assert "INV-0010234 and INV-0010235 found in the remittance text" in text
    assert "amount equals the two invoices less 15.00 bank charges" in text
    assert "payer name 'ACME TRADING LTD' matches account 'Acme Trading Co., Ltd.'" in text


@pytest.mark.parametrize(
    "written",
    [
        "INV-OO10234",  # O for 0
        "INV-OOIO234",  # O and I for 0 and 1
        "inv-0010234",
        "INV 001 0234",  # a space inside
        "INV-001-0234",  # dashes inside
        "10234",  # prefix and leading zeros dropped
        "INV10234",  # leading zeros dropped
        "ＩＮＶ００１０２３４",  # full width
        "PAYMENT FOR INVOICE NO. 0010234 THANK YOU",
    ],
)
def test_typo_tolerant_references(written):
    res = match_receipt(receipt("t", "12000.00", "ACME TRADING LTD", written), items=ITEMS)
    assert res.decision == AUTO, reasons(res)
    assert only(res) == {"1": D("12000.00")}


def test_amounts_in_the_text_are_not_read_as_document_numbers():
    hits = {h.value for h in number_candidates("PAYMENT INV 10234 AMT 10,235.00")}
    assert 10234 in hits and 10235 not in hits


def test_several_invoices_on_one_line_in_several_styles():
    for text in (
        "INV-0010234/0010235/0010236",
        "INV0010234,INV0010235,INV0010236",
        "发票号 INV-0010234 INV-0010235 INV-0010236",
    ):
        res = match_receipt(receipt("t", "25550.00", "ACME TRADING LTD", text), items=ITEMS)
        assert res.decision == AUTO, text
        assert set(only(res)) == {"1", "2", "3"}


def test_an_order_number_finds_its_invoice():
    res = match_receipt(receipt("t", "20000.00", HX, "PO SO-0004711"), items=ITEMS)
    assert res.decision == AUTO and only(res) == {"6": D("20000.00")}


def test_exact_reference_and_exact_amount_suffice_without_the_payer():
    res = match_receipt(receipt("t", "990.00", "XYZ NOMINEES", "INV-0010239"), items=ITEMS)
    assert res.decision == AUTO and only(res) == {"7": D("990.00")}


def test_early_payment_discount_from_the_item_terms():
    items = [
        item(
            "9",
            "A",
            ACME,
            "INV-0020000",
            "10000.00",
            discount_rate=D("0.03"),
            discount_until=dt.date(2026, 11, 5),
        ),
    ]
    res = match_receipt(receipt("t", "9700.00", "ACME TRADING", "INV-0020000"), items=items)
    assert res.decision == AUTO
    assert "less 3% early-payment discount (300.00)" in reasons(res)
    late = Receipt(
        "t",
        D("9700.00"),
        "CNY",
        dt.date(2026, 11, 9),
        dt.date(2026, 11, 9),
        "ACME TRADING",
        "",
        "",
        "INV-0020000",
    )
    res = match_receipt(late, items=items)
    assert "discount" not in reasons(res)  # taken after the discount date: a part payment


def test_amount_within_tolerance():
    res = match_receipt(receipt("t", "989.99", "BOREALIS LOGISTICS", "INV-0010239"), items=ITEMS)
    assert res.decision == AUTO and "within 0.01" in reasons(res)


def test_payer_names_that_differ_from_the_account_name():
    assert name_key("ACME TRADING LTD") == name_key("Acme Trading Co., Ltd.")
    assert name_key("ACME TRDG") == name_key(ACME)
    assert name_key("SHENZHEN HUAXIN KEJI YOUXIAN GONGSI") == name_key(HX)
    assert name_key("ＡＣＭＥ　ＴＲＡＤＩＮＧ") == name_key(ACME)
    # no reference: the payer by name in pinyin, the amount equals one of its items
    res = match_receipt(
        receipt("t", "20000.00", "SHENZHEN HUAXIN KEJI YOUXIAN GONGSI"), items=ITEMS
    )
    assert res.decision == AUTO and only(res) == {"6": D("20000.00")}
    assert "matches account '深圳华信科技有限公司'" in reasons(res)


def test_a_fuzzy_name_alone_is_a_suggestion():
    res = match_receipt(receipt("t", "990.00", "BOREALLIS LOGISTIC"), items=ITEMS)
    assert res.decision == SUGGEST
    assert only(res) == {"7": D("990.00")}
    assert "(score " in reasons(res)


def test_one_receipt_for_several_invoices_by_subset_sum():
    # 8,000 + 3,100 = 11,100: the only combination of Acme's open items
    res = match_receipt(receipt("t", "11100.00", "ACME TRADING CO LTD", "PAYMENT"), items=ITEMS)
    assert res.decision == AUTO
    assert set(only(res)) == {"2", "4"}
    assert "the only combination of the payer's 4 open items" in reasons(res)


def test_several_combinations_fit_is_a_suggestion_oldest_first():
    items = [
        item("a", "A", ACME, "INV-1", "100.00", "2026-09-01"),
        item("b", "A", ACME, "INV-2", "100.00", "2026-09-02"),
        item("c", "A", ACME, "INV-3", "100.00", "2026-09-03"),
    ]
    res = match_receipt(receipt("t", "200.00", "ACME TRADING"), items=items)
    assert res.decision == SUGGEST
    assert set(only(res)) == {"a", "b"}


def test_subset_sum_is_bounded_and_a_charges_fit_among_many_items_is_not_trusted():
    many = [
        item(str(i), "A", ACME, f"INV-{i:07d}", f"{1000 + 37 * i}.{i % 100:02d}", "2026-09-01")
        for i in range(1, 41)
    ]
    s = Settings(subset_max_items=16, subset_max_size=4)
    target = sum((x.open_amount for x in many[:3]), D(0)) - D("20.00")
    res = match_receipt(receipt("t", str(target), "ACME TRADING"), items=many, settings=s)
    assert res.decision == SUGGEST  # 2,516 combinations x a 50.00 window: chance, not evidence


def test_part_payment_of_a_referenced_invoice():
    res = match_receipt(
        receipt("t", "5000.00", "ACME TRADING LTD", "INV-0010234 PART PAYMENT"), items=ITEMS
    )
    assert res.decision == AUTO and only(res) == {"1": D("5000.00")}
    assert "part payment: 5,000.00 of 12,000.00 open" in reasons(res)


def test_several_receipts_for_one_invoice():
    rs = [
        receipt("t1", "7000.00", "ACME TRADING LTD", "INV-0010234 1/2"),
        receipt("t2", "5000.00", "ACME TRADING LTD", "INV-0010234 2/2"),
    ]
    results = results_settle(match_batch(rs, items=ITEMS), ITEMS)
    assert [r.decision for r in results] == [AUTO, AUTO]
    assert [only(r) for r in results] == [{"1": D("7000.00")}, {"1": D("5000.00")}]
    # a third payment of the same invoice would over-draw it: settled to a suggestion
    rs.append(receipt("t3", "5000.00", "ACME TRADING LTD", "INV-0010234"))
    results = results_settle(match_batch(rs, items=ITEMS), ITEMS)
    assert [r.decision for r in results] == [AUTO, AUTO, SUGGEST]
    assert "already pays these items" in reasons(results[2])


def test_unrelated_receipt_has_no_proposal():
    res = match_receipt(receipt("t", "123.45", "TAX BUREAU", "TAX REFUND 2026"), items=ITEMS)
    assert res.decision == SUGGEST and not res.proposals
    assert "no open item fits" in str(res.payer_reasons[-1])


def test_reference_in_another_currency_is_not_booked():
    res = match_receipt(receipt("t", "12000.00", "ACME", "INV-0010234", cur="USD"), items=ITEMS)
    assert res.decision == SUGGEST and not res.proposals


def test_learning_turns_yesterdays_suggestion_into_todays_automatic_booking():
    # the customer's bank writes a trade name nothing in our data resembles, and no reference
    yesterday = receipt("y", "3100.00", "QX GLOBAL HLDG", "TT REMITTANCE", account="CN1288001122")
    before = match_receipt(yesterday, items=ITEMS)
    assert before.decision == SUGGEST
    knowledge = knowledge_learn(Knowledge(), ConfirmedMatch(yesterday, ("A",)))
    assert knowledge.bank_accounts == {"CN1288001122": {"A": 1}}
    # today a similar receipt: same bank account, another amount (8,000 + 5,550 of Acme)
    today = receipt("t", "13550.00", "QX GLOBAL HLDG", "PAYMENT", account="CN12 8800 1122")
    assert match_receipt(today, items=ITEMS).decision == SUGGEST
    after = match_receipt(today, items=ITEMS, knowledge=knowledge)
    assert after.decision == AUTO
    assert set(only(after)) == {"2", "3"}
    assert "seen on 1 earlier confirmed receipt" in reasons(after)
    # the name was learned too: without the bank account it is still Acme
    k2 = knowledge_learn(knowledge, ConfirmedMatch(today, ("A",)))
    assert k2.aliases[name_key("QX GLOBAL HLDG")] == {"A": 2}
    assert knowledge.aliases[name_key("QX GLOBAL HLDG")] == {"A": 1}  # not changed in place


def test_parent_paying_for_subsidiaries_is_learned_as_a_group():
    pay = receipt("p", "6340.00", "ACME GROUP HOLDINGS", "", account="DE89370400440532013000")
    # 990 (C) + 5,550 (B) - 200: nothing known -> no automatic booking
    assert match_receipt(pay, items=ITEMS).decision == SUGGEST
    k = knowledge_learn(Knowledge(), ConfirmedMatch(pay, ("B", "C")))
    res = match_receipt(
        receipt("q", "6540.00", "ACME GROUP", "", account=pay.counterparty_account),
        items=ITEMS,
        knowledge=k,
    )
    assert res.decision == AUTO and set(only(res)) == {"5", "7"}


def test_batch_and_pool_give_the_same_proposals_as_the_single_path():
    from salesops.engines.matching.corpus import corpus_generate

    c = corpus_generate(accounts=60, receipts=400, seed=3)
    single = [match_receipt(r, items=c.open_items) for r in c.receipts[:60]]
    ix = index_build(c.open_items)
    batch = list(match_batch(c.receipts, items=ix))
    pooled = list(match_batch(c.receipts, items=ix, processes=2, chunksize=16))
    assert batch[:60] == single
    assert pooled == batch
    assert {r.decision for r in batch} == {AUTO, SUGGEST}


def test_arrow_tables_in_and_out_give_the_same_matches():
    import pyarrow as pa

    from salesops.engines.matching.files import (
        open_items_from_arrow,
        receipts_from_arrow,
        results_to_arrow,
    )

    table = pa.table(
        {
            "item_id": [it.item_id for it in ITEMS],
            "account_id": [it.account_id for it in ITEMS],
            "account_name": [it.account_name for it in ITEMS],
            "document_number": [it.document_number for it in ITEMS],
            "currency": [it.currency for it in ITEMS],
            "open_amount": pa.array([it.open_amount for it in ITEMS], pa.decimal128(20, 4)),
            "due_date": [it.due_date for it in ITEMS],
            "order_number": [it.order_number for it in ITEMS],
        }
    )
    items = open_items_from_arrow(table)
    assert [(i.item_id, i.open_amount, i.due_date) for i in items] == [
        (i.item_id, i.open_amount, i.due_date) for i in ITEMS
    ]
    rs = receipts_from_arrow(
        pa.table(
            {
                "transaction_id": ["t1", "t2"],
                "amount": ["19985.00", "-5.00"],
                "currency": ["CNY", "CNY"],
                "counterparty_name": ["ACME TRADING LTD", "BANK"],
                "remittance_info": ["INV 10234 10235 LESS CHGS", "FEE"],
            }
        )
    )
    assert [r.transaction_id for r in rs] == ["t1"]  # a debit is not a receipt
    out = results_to_arrow(match_batch(rs, items=items)).to_pylist()
    assert [(r["item_id"], r["amount"], r["decision"]) for r in out] == [
        ("1", "11991.00", "auto"),
        ("2", "7994.00", "auto"),
    ]
