"""Cash application matching engine (pure; no Django). See engine.py for the evidence and the
calibration, text.py for the keys, corpus.py for the generated corpus with its true allocations."""

from .engine import (
    MatchIndex,
    index_build,
    knowledge_learn,
    knowledge_learn_many,
    match_batch,
    match_receipt,
    results_settle,
)
from .model import (
    AUTO,
    SUGGEST,
    Allocation,
    ConfirmedMatch,
    Knowledge,
    OpenItem,
    Proposal,
    Reason,
    Receipt,
    Result,
    Settings,
)

__all__ = [
    "AUTO",
    "SUGGEST",
    "Allocation",
    "ConfirmedMatch",
    "Knowledge",
    "MatchIndex",
    "OpenItem",
    "Proposal",
    "Reason",
    "Receipt",
    "Result",
    "Settings",
    "index_build",
    "knowledge_learn",
    "knowledge_learn_many",
    "match_batch",
    "match_receipt",
    "results_settle",
]
