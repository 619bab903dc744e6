"""The reconciliation engine: four outcomes, document-number normalisation, the sign
convention, the amount-and-date pass, and the balance identity for any ledgers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from salesops.engines.reconcile import (
    AMOUNT_DIFFERS,
    BY_AMOUNT_DATE,
    BY_DOCUMENT,
    MATCHED,
    ONLY_OURS,
    ONLY_THEIRS,
    Options,
    OurItem,
    TheirItem,
    doc_key,
    doc_tokens,
    reconcile,
)

D = Decimal
day = dt.date(2026, 10, 1)


def ours(number, amount, days=0, kind="invoice", key=None):
    return OurItem(number, day + dt.timedelta(days=days), D(amount), kind, key)


def theirs(row, amount, days=0, doc="", ref="", desc=""):
    return TheirItem(row, day + dt.timedelta(days=days), D(amount), ref, doc, desc)


def test_document_numbers_compare_without_case_spaces_zeros_or_punctuation():
    assert doc_key("INV-0000012") == "INV12"
    assert doc_key("inv 12") == "INV12"
    assert doc_key("INV0000012") == "INV12"
    assert doc_key("ＩＮＶ－００１２") == "INV12"  # full-width, as typed with a Chinese IME
    assert doc_key("No.12") == "12"
    assert doc_key("INV-0000012") != doc_key("INV-0000013")
    assert doc_key("RCP-0000012") != doc_key("INV-0000012")
    assert doc_key("") == ""


def test_document_numbers_are_found_inside_free_text():
    assert "INV12" in doc_tokens("付款 INV-0000012 部分")
    assert "CN7" in doc_tokens("credit cn 007 returned goods")


def test_four_outcomes_by_document_with_payable_sign_flip():
    our = [
        ours("INV-0000001", "11300.00", key=1),
        ours("INV-0000002", "5650.00", 9, key=2),
        ours("RCP-0000001", "-8000.00", 14, "payment", key=3),
        ours("INV-0000009", "999.00", 20, key=4),
    ]
    # their payable ledger: our invoice is their credit (negative debit - credit)
    their = [
        theirs(2, "-11300.00", doc="inv 0000001"),
        theirs(3, "-5600.00", 10, doc="INV0000002"),
        theirs(4, "8000.00", 15, ref="付款", desc="付 RCP-0000001"),
        theirs(5, "-300.00", 22, ref="记-0042", desc="运费"),
    ]
    r = reconcile(our, their, Options(flip_sign=True))
    got = {(ln.result, ln.document_number or ln.their_reference) for ln in r.lines}
    assert got == {
        (MATCHED, "INV-0000001"),
        (AMOUNT_DIFFERS, "INV-0000002"),
        (MATCHED, "RCP-0000001"),
        (ONLY_OURS, "INV-0000009"),
        (ONLY_THEIRS, "记-0042"),
    }
    differs = r.by_result(AMOUNT_DIFFERS)[0]
    assert differs.our_amount == D("5650.00") and differs.their_amount == D("5600.00")
    assert differs.difference == D("50.00")
    assert r.our_balance == D("9949.00")
    assert r.their_balance == D("9200.00")
    assert r.difference == D("749.00") == r.explained  # 999 - 300 + 50
    assert r.unexplained == 0


def test_without_flip_their_signs_are_taken_as_ours():
    r = reconcile([ours("INV-1", "100")], [theirs(2, "100", doc="INV-1")], Options(flip_sign=False))
    assert [ln.result for ln in r.lines] == [MATCHED]
    r = reconcile([ours("INV-1", "100")], [theirs(2, "100", doc="INV-1")], Options(flip_sign=True))
    assert [ln.result for ln in r.lines] == [AMOUNT_DIFFERS]
    assert r.lines[0].difference == D("200")


def test_an_invoice_they_booked_in_two_rows_is_matched_as_one_line():
    r = reconcile(
        [ours("INV-7", "1000")],
        [theirs(2, "600", doc="INV-7"), theirs(3, "400", doc="INV 7")],
        Options(flip_sign=False),
    )
    assert len(r.lines) == 1
    (ln,) = r.lines
    assert ln.result == MATCHED and ln.their_rows == (2, 3) and ln.difference == 0


def test_reversed_invoice_pairs_the_equal_amount_and_leaves_the_reversal_only_ours():
    r = reconcile(
        [ours("INV-3", "500", 0), ours("INV-3", "-500", 5, "invoice_reversal")],
        [theirs(2, "500", doc="INV-3")],
        Options(flip_sign=False, date_window_days=None),
    )
    assert sorted(ln.result for ln in r.lines) == [MATCHED, ONLY_OURS]
    assert r.by_result(ONLY_OURS)[0].our_amount == D("-500")
    assert r.difference == r.explained == D("-500")


def test_own_voucher_numbers_match_by_amount_within_the_date_window():
    our = [ours("INV-1", "100", 0), ours("INV-2", "100", 10), ours("INV-3", "250", 0)]
    their = [
        theirs(2, "100", 2, ref="记-0001"),
        theirs(3, "100", 11, ref="记-0002"),
        theirs(4, "250", 9, ref="记-0003"),  # outside a 3-day window
    ]
    r = reconcile(our, their, Options(flip_sign=False, date_window_days=3))
    matched = {ln.document_number: ln.their_reference for ln in r.by_result(MATCHED)}
    assert matched == {"INV-1": "记-0001", "INV-2": "记-0002"}
    assert all(ln.method == BY_AMOUNT_DATE for ln in r.by_result(MATCHED))
    assert [ln.document_number for ln in r.by_result(ONLY_OURS)] == ["INV-3"]
    assert [ln.their_reference for ln in r.by_result(ONLY_THEIRS)] == ["记-0003"]
    # switched off, nothing matches by amount
    r = reconcile(our, their, Options(flip_sign=False, date_window_days=None))
    assert not r.by_result(MATCHED)


def test_amount_date_pass_prefers_the_nearest_date():
    our = [ours("INV-1", "100", 0), ours("INV-2", "100", 3)]
    r = reconcile(our, [theirs(2, "100", 3, ref="V1")], Options(flip_sign=False))
    assert r.by_result(MATCHED)[0].document_number == "INV-2"


def test_bare_number_matches_only_when_one_of_our_documents_has_it():
    our = [ours("INV-0000012", "100"), ours("INV-0000013", "50"), ours("RCP-0000013", "-50")]
    r = reconcile(
        our,
        [theirs(2, "100", doc="12"), theirs(3, "50", 30, doc="13")],
        Options(flip_sign=False, date_window_days=None),
    )
    assert r.by_result(MATCHED)[0].document_number == "INV-0000012"
    assert r.by_result(MATCHED)[0].method == BY_DOCUMENT
    assert [ln.their_rows for ln in r.by_result(ONLY_THEIRS)] == [(3,)]  # 13 is ambiguous


def test_neighbouring_document_numbers_never_match_each_other():
    r = reconcile(
        [ours("INV-0000012", "100")],
        [theirs(2, "100", 40, doc="INV-0000013")],
        Options(flip_sign=False),
    )
    assert sorted(ln.result for ln in r.lines) == [ONLY_OURS, ONLY_THEIRS]


# ---------------------------------------------------------------- property

amounts = st.integers(min_value=-500_000, max_value=500_000).map(lambda c: D(c).scaleb(-2))
numbers = st.sampled_from(
    ["INV-0000001", "INV-0000002", "INV-0000003", "RCP-0000001", "CN-0000001", "X1", ""]
)
quoted = st.sampled_from(
    ["inv 1", "INV0000002", "INV-3", "rcp-0000001", "CN 1", "记-0001", "", "2", "1"]
)


@st.composite
def ledgers(draw):
    our = [
        OurItem(n, day + dt.timedelta(days=d), a, "k", i)
        for i, (n, d, a) in enumerate(
            draw(st.lists(st.tuples(numbers, st.integers(0, 60), amounts), max_size=25))
        )
    ]
    their = [
        TheirItem(i + 2, day + dt.timedelta(days=d), a, ref, doc, "")
        for i, (doc, ref, d, a) in enumerate(
            draw(
                st.lists(
                    st.tuples(quoted, quoted, st.integers(0, 60), amounts),
                    max_size=25,
                )
            )
        )
    ]
    # copy some of ours across so that matches actually happen
    for o in draw(st.lists(st.sampled_from(our), max_size=10)) if our else []:
        sign = draw(st.sampled_from([-1, 1]))
        their.append(
            TheirItem(len(their) + 2, o.posted_on, -o.amount * sign, "", o.document_number, "")
        )
    return our, their


@given(ledgers(), st.booleans(), st.sampled_from([None, 0, 3, 30]))
def test_explained_difference_always_equals_the_balance_difference(data, flip, window):
    our, their = data
    r = reconcile(our, their, Options(flip_sign=flip, date_window_days=window))
    assert r.difference == r.explained
    # every item is on exactly one line
    our_keys = sorted(k for ln in r.lines for k in ln.our_keys)
    assert our_keys == sorted(o.key for o in our)
    rows = sorted(row for ln in r.lines for row in ln.their_rows)
    assert rows == sorted(t.row for t in their)
    for ln in r.lines:
        if ln.result == MATCHED:
            assert ln.difference == 0
        if ln.result == AMOUNT_DIFFERS:
            assert ln.difference != 0
    assert sum(s.count for s in r.sections.values()) == len(r.lines)
