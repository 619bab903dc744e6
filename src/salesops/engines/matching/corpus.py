"""A generated cash-application corpus with the true allocation of every receipt.

`corpus_generate(accounts=, receipts=, seed=)` is pure and deterministic (one seeded
`random.Random`): the same arguments give the same corpus. It makes

* accounts: Chinese (hanzi names, the bank's pinyin spelling) and English companies, some of
  them subsidiaries of a parent company in the corpus; each with a bank account;
* open items (invoices INV-nnnnnnn, some with an order number SO-nnnnnnn and early-payment
  terms) per account, more than the receipts pay, so the rest stand by as distractors;
* receipts in scenarios with realistic remittance noise (`SCENARIOS`): clean references,
  several invoices per line, typos (O/0, I/1, dropped prefix, spaces, leading zeros dropped),
  bank charges deducted, early-payment discount taken, short payments, several receipts for
  one invoice, no reference at all, a parent paying for its subsidiaries, a trade name unlike
  the account name, and receipts that belong to nobody;
* `truth`: transaction_id -> the allocations a careful person would book ((), for a receipt
  that pays nothing of ours);
* `history`: earlier confirmed receipts (payer name and bank account as the bank wrote them),
  which `knowledge_learn_many` turns into what the engine would know after a few weeks.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .model import Allocation, ConfirmedMatch, OpenItem, Receipt

CENT = Decimal("0.01")

# scenario -> weight (per cent of receipts)
SCENARIOS: dict[str, int] = {
    "clean": 28,
    "multi": 12,
    "typo": 12,
    "charges": 8,
    "discount": 5,
    "short": 4,
    "split": 4,
    "noref": 13,
    "parent": 4,
    "tradename": 5,
    "unrelated": 5,
}

_CITIES = [
    ("深圳", "SHENZHEN"),
    ("上海", "SHANGHAI"),
    ("广州", "GUANGZHOU"),
    ("北京", "BEIJING"),
    ("杭州", "HANGZHOU"),
    ("苏州", "SUZHOU"),
    ("南京", "NANJING"),
    ("东莞", "DONGGUAN"),
    ("宁波", "NINGBO"),
    ("厦门", "XIAMEN"),
    ("天津", "TIANJIN"),
    ("成都", "CHENGDU"),
    ("武汉", "WUHAN"),
    ("青岛", "QINGDAO"),
    ("佛山", "FOSHAN"),
    ("无锡", "WUXI"),
]
_CHARS = [
    ("华", "HUA"),
    ("信", "XIN"),
    ("宏", "HONG"),
    ("达", "DA"),
    ("鑫", "XIN"),
    ("盛", "SHENG"),
    ("泰", "TAI"),
    ("丰", "FENG"),
    ("瑞", "RUI"),
    ("恒", "HENG"),
    ("嘉", "JIA"),
    ("力", "LI"),
    ("新", "XIN"),
    ("中", "ZHONG"),
    ("天", "TIAN"),
    ("金", "JIN"),
    ("海", "HAI"),
    ("明", "MING"),
    ("东", "DONG"),
    ("永", "YONG"),
    ("安", "AN"),
    ("康", "KANG"),
    ("源", "YUAN"),
    ("星", "XING"),
    ("博", "BO"),
    ("创", "CHUANG"),
    ("联", "LIAN"),
    ("通", "TONG"),
    ("科", "KE"),
    ("威", "WEI"),
    ("凯", "KAI"),
    ("德", "DE"),
    ("富", "FU"),
    ("佳", "JIA"),
    ("美", "MEI"),
    ("光", "GUANG"),
    ("宇", "YU"),
    ("乐", "LE"),
    ("祥", "XIANG"),
    ("云", "YUN"),
    ("峰", "FENG"),
    ("林", "LIN"),
    ("正", "ZHENG"),
    ("诚", "CHENG"),
    ("汇", "HUI"),
    ("邦", "BANG"),
    ("润", "RUN"),
    ("捷", "JIE"),
]
_CN_INDUSTRY = [
    ("科技", "KEJI", "TECHNOLOGY"),
    ("贸易", "MAOYI", "TRADING"),
    ("电子", "DIANZI", "ELECTRONICS"),
    ("实业", "SHIYE", "INDUSTRIAL"),
    ("机械", "JIXIE", "MACHINERY"),
    ("物流", "WULIU", "LOGISTICS"),
    ("材料", "CAILIAO", "MATERIALS"),
    ("医疗器械", "YILIAO QIXIE", "MEDICAL"),
]
_CN_SUFFIX = [("有限公司", "YOUXIAN GONGSI"), ("股份有限公司", "GUFEN YOUXIAN GONGSI")]
_SYLLABLES = [
    "ac",
    "me",
    "ap",
    "ex",
    "bor",
    "ea",
    "cor",
    "vis",
    "lum",
    "en",
    "nor",
    "dal",
    "tek",
    "ron",
    "zen",
    "ith",
    "ora",
    "qui",
    "sol",
    "ar",
    "vel",
    "ta",
    "mar",
    "kin",
    "gal",
    "fen",
    "dor",
    "bri",
    "stone",
    "wood",
    "field",
    "brook",
    "cast",
    "ley",
    "ham",
    "ton",
    "ford",
    "wick",
]
_EN_INDUSTRY = [
    ("Trading", "TRDG"),
    ("Electronics", "ELEC"),
    ("Logistics", "LOGISTICS"),
    ("Industrial", "IND"),
    ("Technology", "TECH"),
    ("Manufacturing", "MFG"),
    ("International", "INTL"),
    ("Engineering", "ENG"),
    ("Services", "SVCS"),
]
_EN_SUFFIX = [
    ("Co., Ltd.", "CO LTD"),
    ("Ltd", "LTD"),
    ("Limited", "LIMITED"),
    ("Inc.", "INC"),
    ("Corporation", "CORP"),
    ("GmbH", "GMBH"),
    ("Pte. Ltd.", "PTE LTD"),
]
_NOREF_TEXT = [
    "PAYMENT",
    "货款",
    "",
    "TT REMITTANCE",
    "PAYMENT FOR GOODS",
    "INVOICE PAYMENT",
    "付款",
]
_UNRELATED_TEXT = [
    "INTEREST CREDIT",
    "REFUND SUPPLIER 88123",
    "TAX REFUND 2026",
    "INSURANCE CLAIM 7731",
    "CASH DEPOSIT",
    "RETURN OF DEPOSIT CONTRACT 5521",
    "往来款",
    "",
]


@dataclass(frozen=True, slots=True)
class CorpusAccount:
    account_id: str
    name: str  # as in our master data
    bank_name: str  # as the customer's bank writes it (upper case, pinyin for Chinese)
    variants: tuple[str, ...]  # other spellings a bank uses (suffix, abbreviation)
    trade_name: str  # a name nothing in our data resembles
    bank_account: str
    parent_id: str | None
    currency: str


@dataclass(frozen=True, slots=True)
class Corpus:
    accounts: tuple[CorpusAccount, ...]
    open_items: tuple[OpenItem, ...]
    receipts: tuple[Receipt, ...]
    truth: Mapping[str, tuple[Allocation, ...]]
    scenario: Mapping[str, str]
    history: tuple[ConfirmedMatch, ...]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3)))).capitalize()


def _account(rng: random.Random, n: int, used: set[str], parent: CorpusAccount | None):
    acc_id = f"C{n:07d}"
    chinese = rng.random() < (0.6 if parent is None else (1.0 if parent.name[0] > "~" else 0.0))
    for _attempt in range(50):
        if chinese:
            city = rng.choice(_CITIES)
            if parent is not None:
                brand_cn = parent.name.split("集团")[0][2:]
                brand_py = parent.bank_name.split()[1]
            else:
                chars = [rng.choice(_CHARS) for _ in range(rng.choice((2, 2, 3)))]
                brand_cn = "".join(c for c, _ in chars)
                brand_py = "".join(p for _, p in chars)
            ind = rng.choice(_CN_INDUSTRY)
            suf = rng.choice(_CN_SUFFIX)
            name = f"{city[0]}{brand_cn}{ind[0]}{suf[0]}"
            bank_name = f"{city[1]} {brand_py} {ind[1]} {suf[1]}"
            variants = (
                f"{city[1]} {brand_py} {ind[1]} CO LTD",
                f"{city[0]}{brand_cn}{ind[0]}",
                f"{brand_py} {ind[2]} ({city[1][:2]}) CO LTD",
            )
            trade = f"{brand_py[:2]}{rng.choice('XYZQKW')} {rng.choice(['HLDG', 'GLOBAL', 'ASIA'])}"
        else:
            brand = parent.name.split()[0] if parent is not None else _word(rng)
            ind = rng.choice(_EN_INDUSTRY)
            suf = rng.choice(_EN_SUFFIX)
            name = f"{brand} {ind[0]} {suf[0]}"
            bank_name = f"{brand.upper()} {ind[0].upper()} {suf[1]}"
            variants = (
                f"{brand.upper()} {ind[0].upper()} LTD",
                f"{brand.upper()} {ind[1]}",
                f"{brand} {ind[0]}",
            )
            trade = (
                f"{brand.upper()[:3]}{rng.choice('XYZQKW')} {rng.choice(['GLOBAL', 'PARTNERS'])}"
            )
        unique_key = bank_name.split(" CO LTD")[0].rsplit(" ", 2 if chinese else 1)[0]
        unique_key = f"{unique_key}|{ind[0]}"
        if name not in used and unique_key not in used:
            used.add(name)
            used.add(unique_key)
            break
    else:  # pragma: no cover - 50 collisions in a row: make it unique
        name = f"{name} {n}"
        used.add(name)
    if rng.random() < 0.5:
        bank_account = f"CN{rng.randrange(10, 99)}{rng.randrange(10**15, 10**16)}"
    else:
        bank_account = str(rng.randrange(10**18, 10**19))
    currency = parent.currency if parent else rng.choices(["CNY", "USD", "EUR"], [70, 20, 10])[0]
    return CorpusAccount(
        acc_id,
        name,
        bank_name,
        variants,
        trade,
        bank_account,
        parent.account_id if parent else None,
        currency,
    )


def _group_name(rng: random.Random, n: int, used: set[str]) -> CorpusAccount:
    acc = _account(rng, n, used, None)
    if acc.name[0] > "~":  # Chinese: 深圳华信集团有限公司
        city, brand = acc.name[:2], acc.bank_name.split()[1]
        cn_brand = acc.name[2:].split("科技")[0]
        for ind, *_ in _CN_INDUSTRY:
            cn_brand = cn_brand.split(ind)[0]
        name = f"{city}{cn_brand}集团有限公司"
        bank = f"{acc.bank_name.split()[0]} {brand} JITUAN YOUXIAN GONGSI"
        variants = (f"{acc.bank_name.split()[0]} {brand} GROUP CO LTD",)
    else:
        brand = acc.name.split()[0]
        name = f"{brand} Group Holdings Ltd"
        bank = f"{brand.upper()} GROUP HOLDINGS LTD"
        variants = (f"{brand.upper()} GRP HLDGS",)
    used.add(name)
    return CorpusAccount(
        acc.account_id, name, bank, variants, acc.trade_name, acc.bank_account, None, acc.currency
    )


def _amount(rng: random.Random) -> Decimal:
    return (Decimal(rng.randrange(50_000, 20_000_000)) / 100).quantize(CENT)


def _typo(rng: random.Random, number: str) -> str:
    """INV-0010234 as a hurried person types it."""
    prefix, digits = number.split("-")
    kind = rng.randrange(6)
    if kind == 0:  # O for 0
        pos = [i for i, ch in enumerate(digits) if ch == "0"]
        if pos:
            i = rng.choice(pos)
            digits = digits[:i] + "O" + digits[i + 1 :]
        return f"{prefix}{digits}"
    if kind == 1:  # I or l for 1
        pos = [i for i, ch in enumerate(digits) if ch == "1"]
        if pos:
            i = rng.choice(pos)
            digits = digits[:i] + rng.choice("Il") + digits[i + 1 :]
        return f"{prefix}-{digits}"
    if kind == 2:  # prefix dropped, leading zeros dropped
        return str(int(digits))
    if kind == 3:  # a space inside
        cut = rng.randrange(2, len(digits) - 1)
        return f"{prefix} {digits[:cut]} {digits[cut:]}"
    if kind == 4:  # lower case, no dash, zeros dropped
        return f"{prefix.lower()}{int(digits)}"
    return f"NO.{digits}"


def _refs_text(rng: random.Random, numbers: list[str], typo: bool) -> str:
    if typo:
        quoted = [_typo(rng, n) for n in numbers]
    else:
        style = rng.randrange(4)
        if style == 0 or len(numbers) == 1:
            quoted = numbers[:]
        elif style == 1:  # INV 10234 10235
            return "INV " + " ".join(str(int(n.split("-")[1])) for n in numbers)
        elif style == 2:  # INV-0010234/0010235
            return numbers[0] + "/" + "/".join(n.split("-")[1] for n in numbers[1:])
        else:
            quoted = [n.replace("-", "") for n in numbers]
    sep = rng.choice([" ", ", ", " / ", ";"])
    return sep.join(quoted)


def corpus_generate(
    *,
    accounts: int,
    receipts: int,
    seed: int,
    open_items: int | None = None,
    value_date: dt.date = dt.date(2026, 11, 2),
) -> Corpus:
    """A seeded corpus: `accounts` accounts, `receipts` receipts with their true allocations,
    and open items (default 1.6 per receipt plus 3 per account; fewer than the receipts need
    makes later receipts pay items that earlier ones also pay, which is fine for throughput
    since the engine does not consume open amounts)."""
    rng = random.Random(seed)
    used: set[str] = set()
    accs: list[CorpusAccount] = []
    children: dict[str, list[int]] = {}
    n = 0
    while len(accs) < accounts:
        n += 1
        if rng.random() < 0.03 and accounts - len(accs) >= 3:
            parent = _group_name(rng, n, used)
            accs.append(parent)
            kids = []
            for _ in range(rng.randrange(2, 4)):
                if len(accs) >= accounts:
                    break
                n += 1
                kids.append(len(accs))
                accs.append(_account(rng, n, used, parent))
            children[parent.account_id] = kids
        else:
            accs.append(_account(rng, n, used, None))

    total_items = open_items if open_items is not None else int(receipts * 1.6) + 3 * accounts
    # open items: spread over accounts, skewed (a few large customers)
    weights = [rng.paretovariate(1.6) for _ in accs]
    owner = rng.choices(range(len(accs)), weights, k=total_items)
    seq0 = rng.randrange(10_000, 90_000)
    items: list[OpenItem] = []
    by_acc: dict[int, list[int]] = {}
    for k, a in enumerate(sorted(owner)):
        acc = accs[a]
        due = value_date + dt.timedelta(days=rng.randrange(-90, 30))
        disc = rng.random() < 0.15
        items.append(
            OpenItem(
                item_id=str(k + 1),
                account_id=acc.account_id,
                account_name=acc.name,
                document_number=f"INV-{seq0 + k:07d}",
                currency=acc.currency,
                open_amount=_amount(rng),
                due_date=due,
                order_number=f"SO-{seq0 * 3 + k * 7:07d}" if rng.random() < 0.3 else "",
                discount_rate=Decimal("0.02") if disc else None,
                discount_until=(value_date + dt.timedelta(days=rng.randrange(0, 10)))
                if disc
                else None,
            )
        )
        by_acc.setdefault(a, []).append(k)
    unused = {a: list(ix) for a, ix in by_acc.items()}
    for ix in unused.values():
        rng.shuffle(ix)
    acc_with_items = sorted(by_acc)
    acc_cum = list(itertools.accumulate(len(by_acc[a]) for a in acc_with_items))

    out: list[Receipt] = []
    truth: dict[str, tuple[Allocation, ...]] = {}
    scenario: dict[str, str] = {}
    names = list(SCENARIOS)
    sweights = [SCENARIOS[s] for s in names]
    t = 0

    def take(a: int, k: int) -> list[OpenItem]:
        pool = unused.setdefault(a, [])
        k = min(k, len(by_acc[a]))
        if len(pool) < k:  # exhausted: pay items again (the engine does not consume them)
            held = set(pool)
            pool[:0] = [i for i in rng.sample(by_acc[a], len(by_acc[a])) if i not in held]
        return [items[pool.pop()] for _ in range(k)]

    def payer_name(acc: CorpusAccount) -> str:
        roll = rng.random()
        if roll < 0.55:
            return acc.bank_name
        if roll < 0.70:
            return acc.variants[0]
        if roll < 0.80:
            return acc.variants[1] if len(acc.variants) > 1 else acc.bank_name
        if roll < 0.88:
            return acc.name
        return acc.variants[-1]

    parents = [i for i, a in enumerate(accs) if a.account_id in children]
    while len(out) < receipts:
        t += 1
        sc = rng.choices(names, sweights)[0]
        if sc == "parent" and not parents:
            sc = "clean"
        tid = f"T{t:08d}"
        vdate = value_date + dt.timedelta(days=rng.randrange(0, 3))
        a = rng.choices(acc_with_items, cum_weights=acc_cum)[0]
        acc = accs[a]
        name = payer_name(acc)
        bank = acc.bank_account
        if sc == "unrelated":
            amount = _amount(rng)
            out.append(
                Receipt(
                    tid,
                    amount,
                    rng.choice(["CNY", "USD"]),
                    vdate,
                    vdate,
                    f"{_word(rng).upper()} {rng.choice(['LTD', 'GMBH', 'INC', '有限公司'])}",
                    str(rng.randrange(10**15, 10**16)),
                    "",
                    rng.choice(_UNRELATED_TEXT),
                )
            )
            truth[tid], scenario[tid] = (), sc
            continue
        if sc == "parent":
            p = accs[rng.choice(parents)]
            kids = [k for k in children[p.account_id] if k in by_acc]
            if not kids:
                sc = "clean"
            else:
                paid = [it for k in rng.sample(kids, min(len(kids), 2)) for it in take(k, 1)]
                amount = sum((it.open_amount for it in paid), Decimal(0))
                text = _refs_text(rng, [it.document_number for it in paid], False)
                out.append(
                    Receipt(
                        tid,
                        amount,
                        paid[0].currency,
                        vdate,
                        vdate,
                        p.bank_name,
                        p.bank_account,
                        "",
                        text,
                    )
                )
                truth[tid] = tuple(Allocation(it.item_id, it.open_amount) for it in paid)
                scenario[tid] = sc
                continue
        k = {"multi": rng.randrange(2, 6), "noref": rng.choice((1, 1, 1, 2, 2, 3))}.get(
            sc, rng.choice((1, 1, 1, 2))
        )
        if sc in ("short", "split"):
            k = 1
        paid = take(a, k)
        if not paid:
            continue
        numbers = [it.document_number for it in paid]
        gross = sum((it.open_amount for it in paid), Decimal(0))
        cur = paid[0].currency
        if sc == "tradename":
            name = acc.trade_name
        text = "" if sc == "noref" else _refs_text(rng, numbers, sc == "typo")
        if sc == "noref":
            text = rng.choice(_NOREF_TEXT)
        alloc = tuple(Allocation(it.item_id, it.open_amount) for it in paid)
        amount = gross
        if sc == "charges":
            charge = Decimal(rng.choice((10, 15, 20, 25, 30, 35, 45)))
            amount = gross - charge
            text += rng.choice([" LESS CHGS", " BANK CHARGES DEDUCTED", " 扣手续费", ""])
        elif sc == "discount":
            amount = sum(
                ((it.open_amount * Decimal("0.98")).quantize(CENT, ROUND_HALF_UP) for it in paid),
                Decimal(0),
            )
            paid = [
                OpenItem(
                    **{
                        **{f: getattr(it, f) for f in it.__slots__},
                        "discount_rate": Decimal("0.02"),
                        "discount_until": vdate + dt.timedelta(days=3),
                    }
                )
                for it in paid
            ]
            for it in paid:  # the invoices of a discount payment carry the terms
                items[int(it.item_id) - 1] = it
            text += rng.choice([" LESS 2% DISC", " 2% DISCOUNT", ""])
        elif sc == "short":
            part = (paid[0].open_amount * Decimal(rng.randrange(30, 90)) / 100).quantize(Decimal(1))
            amount = part
            alloc = (Allocation(paid[0].item_id, part),)
            text += rng.choice([" PART PAYMENT", " 部分付款", ""])
        elif sc == "split":
            first = (gross * Decimal(rng.randrange(40, 70)) / 100).quantize(Decimal(1))
            out.append(Receipt(tid, first, cur, vdate, vdate, name, bank, "", text + " 1/2"))
            truth[tid], scenario[tid] = (Allocation(paid[0].item_id, first),), sc
            t += 1
            tid = f"T{t:08d}"
            amount = gross - first
            alloc = (Allocation(paid[0].item_id, amount),)
            text += " 2/2"
        if amount != gross and sc in ("charges", "discount"):  # the last item carries it
            short = gross - amount
            alloc = (
                *alloc[:-1],
                Allocation(alloc[-1].item_id, alloc[-1].amount - short, short),
            )
        if rng.random() < 0.1 and sc != "noref":
            text += f" AMT {amount:,.2f}"
        out.append(Receipt(tid, amount, cur, vdate, vdate, name, bank, "", text.strip()))
        truth[tid], scenario[tid] = alloc, sc
    out = out[:receipts]
    keep = {r.transaction_id for r in out}
    truth = {k: v for k, v in truth.items() if k in keep}
    scenario = {k: v for k, v in scenario.items() if k in keep}

    # history: earlier confirmed receipts of 60 % of the accounts (and of the parents for their
    # subsidiaries), as their banks wrote payer name and account
    history: list[ConfirmedMatch] = []
    hist_date = value_date - dt.timedelta(days=30)
    for i, acc in enumerate(accs):
        if rng.random() < 0.6:
            for _ in range(rng.randrange(1, 4)):
                hname = rng.choice([acc.bank_name, *acc.variants[:1], acc.trade_name])
                r = Receipt(
                    f"H{i:07d}",
                    _amount(rng),
                    acc.currency,
                    hist_date,
                    hist_date,
                    hname,
                    acc.bank_account,
                )
                history.append(ConfirmedMatch(r, (acc.account_id,)))
        if acc.account_id in children and rng.random() < 0.6:
            kid_ids = tuple(accs[k].account_id for k in children[acc.account_id])
            r = Receipt(
                f"H{i:07d}P",
                _amount(rng),
                acc.currency,
                hist_date,
                hist_date,
                acc.bank_name,
                acc.bank_account,
            )
            history.append(ConfirmedMatch(r, kid_ids))
    return Corpus(tuple(accs), tuple(items), tuple(out), truth, scenario, tuple(history))


def is_correct(result_items: Mapping[str, Decimal] | None, truth: tuple[Allocation, ...]) -> bool:
    """An automatic booking is right when it pays exactly the true items with the true cash
    (items paid in full: same items; part payments: same amount too)."""
    got = dict(result_items or {})
    want = {a.item_id: a.amount for a in truth}
    if set(got) != set(want):
        return False
    return sum(got.values(), Decimal(0)) == sum(want.values(), Decimal(0))
