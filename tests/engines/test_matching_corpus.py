"""Match quality on the generated corpus with truth: the issue's aim (>= 90 % of receipts booked
automatically, <= 1 wrong in 1,000 automatic bookings), measured by the code on a seeded corpus
of a few thousand receipts after learning from the corpus' history of confirmed receipts."""

from __future__ import annotations

from collections import Counter

from salesops.engines.matching import (
    AUTO,
    Knowledge,
    index_build,
    knowledge_learn_many,
    match_batch,
)
from salesops.engines.matching.corpus import SCENARIOS, corpus_generate, is_correct


def measure(corpus, knowledge):
    ix = index_build(corpus.open_items, knowledge)
    auto = wrong = 0
    for r, res in zip(corpus.receipts, match_batch(corpus.receipts, items=ix), strict=True):
        if res.decision == AUTO:
            auto += 1
            got = {a.item_id: a.amount for a in res.best.allocations}
            wrong += not is_correct(got, corpus.truth[r.transaction_id])
    return auto / len(corpus.receipts), wrong / max(auto, 1), auto, wrong


def test_corpus_is_deterministic_and_has_every_scenario():
    a = corpus_generate(accounts=80, receipts=600, seed=11)
    b = corpus_generate(accounts=80, receipts=600, seed=11)
    assert a == b
    assert set(Counter(a.scenario.values())) == set(SCENARIOS)
    assert len(a.receipts) == 600 and set(a.truth) == {r.transaction_id for r in a.receipts}
    # truth pays what the receipt says: the cash of the true allocations is the amount
    for r in a.receipts:
        if a.truth[r.transaction_id]:
            assert sum(x.amount for x in a.truth[r.transaction_id]) == r.amount


def test_auto_rate_and_precision_reach_the_issues_aim_on_a_seeded_corpus():
    corpus = corpus_generate(accounts=600, receipts=4000, seed=2026)
    learned = knowledge_learn_many(Knowledge(), corpus.history)
    rate, wrong_share, auto, wrong = measure(corpus, learned)
    assert rate >= 0.90, f"auto rate {rate:.3f}"
    assert wrong_share <= 0.001, f"{wrong} wrong of {auto} automatic bookings"
    # learning helps: the same corpus without the history books no more automatically
    cold_rate, cold_wrong, *_ = measure(corpus, Knowledge())
    assert cold_rate <= rate and cold_wrong <= 0.001
