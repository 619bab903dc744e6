"""Word pools the generator draws from, and the small pure helpers that make ids and mess.

Faker (seeded) fills the large pools once per step; composing names from pools keeps a
million rows within minutes, where one Faker call per field would not.
"""

from __future__ import annotations

import random
import string

from stdnum.cn import uscc

# (Chinese, pinyin, province in Chinese, province in English, postcode prefix, phone area code)
CITIES = [
    ("上海", "Shanghai", "上海市", "Shanghai", "200", "21"),
    ("北京", "Beijing", "北京市", "Beijing", "100", "10"),
    ("广州", "Guangzhou", "广东省", "Guangdong", "510", "20"),
    ("深圳", "Shenzhen", "广东省", "Guangdong", "518", "755"),
    ("东莞", "Dongguan", "广东省", "Guangdong", "523", "769"),
    ("杭州", "Hangzhou", "浙江省", "Zhejiang", "310", "571"),
    ("宁波", "Ningbo", "浙江省", "Zhejiang", "315", "574"),
    ("温州", "Wenzhou", "浙江省", "Zhejiang", "325", "577"),
    ("南京", "Nanjing", "江苏省", "Jiangsu", "210", "25"),
    ("苏州", "Suzhou", "江苏省", "Jiangsu", "215", "512"),
    ("无锡", "Wuxi", "江苏省", "Jiangsu", "214", "510"),
    ("成都", "Chengdu", "四川省", "Sichuan", "610", "28"),
    ("重庆", "Chongqing", "重庆市", "Chongqing", "400", "23"),
    ("武汉", "Wuhan", "湖北省", "Hubei", "430", "27"),
    ("长沙", "Changsha", "湖南省", "Hunan", "410", "731"),
    ("西安", "Xi'an", "陕西省", "Shaanxi", "710", "29"),
    ("天津", "Tianjin", "天津市", "Tianjin", "300", "22"),
    ("青岛", "Qingdao", "山东省", "Shandong", "266", "532"),
    ("济南", "Jinan", "山东省", "Shandong", "250", "531"),
    ("厦门", "Xiamen", "福建省", "Fujian", "361", "592"),
    ("福州", "Fuzhou", "福建省", "Fujian", "350", "591"),
    ("合肥", "Hefei", "安徽省", "Anhui", "230", "551"),
    ("郑州", "Zhengzhou", "河南省", "Henan", "450", "371"),
    ("沈阳", "Shenyang", "辽宁省", "Liaoning", "110", "24"),
    ("大连", "Dalian", "辽宁省", "Liaoning", "116", "411"),
    ("哈尔滨", "Harbin", "黑龙江省", "Heilongjiang", "150", "451"),
    ("昆明", "Kunming", "云南省", "Yunnan", "650", "871"),
    ("南宁", "Nanning", "广西壮族自治区", "Guangxi", "530", "771"),
    ("石家庄", "Shijiazhuang", "河北省", "Hebei", "050", "311"),
    ("南昌", "Nanchang", "江西省", "Jiangxi", "330", "791"),
]

# Region codes of the registering authority (first six digits after the two type digits).
REGION_CODES = [
    "310000", "310115", "110000", "110105", "440100", "440300", "441900", "330100", "330200",
    "330300", "320100", "320500", "320200", "510100", "500000", "420100", "430100", "610100",
    "120000", "370200", "370100", "350200", "350100", "340100", "410100", "210100", "210200",
    "230100", "530100", "450100", "130100", "360100",
]  # fmt: skip

AREAS = [
    ("华东", "East"),
    ("华北", "North"),
    ("华南", "South"),
    ("西部", "West"),
    ("华中", "Central"),
]

INDUSTRIES = [
    ("科技", "Technology", "Technology"),
    ("贸易", "Trading", "Wholesale"),
    ("电子", "Electronics", "Electronics"),
    ("机械", "Machinery", "Machinery"),
    ("化工", "Chemical", "Chemicals"),
    ("医药", "Pharmaceutical", "Healthcare"),
    ("物流", "Logistics", "Transportation"),
    ("建材", "Building Materials", "Construction"),
    ("食品", "Foods", "Food & Beverage"),
    ("纺织", "Textile", "Apparel"),
    ("信息技术", "Information Technology", "Technology"),
    ("实业", "Industrial", "Manufacturing"),
    ("汽车配件", "Auto Parts", "Automotive"),
    ("新能源", "New Energy", "Energy"),
    ("包装", "Packaging", "Manufacturing"),
]

ZH_SUFFIXES = [("有限公司", 60), ("有限责任公司", 22), ("股份有限公司", 15), ("集团有限公司", 3)]
EN_SUFFIXES = [
    ("Co., Ltd.", 45),
    ("Limited", 15),
    ("Company Limited", 15),
    ("Ltd", 15),
    ("Inc.", 10),
]
EU_SUFFIXES = ["GmbH", "B.V.", "S.A.S.", "AG"]

# Each pair is one company form written two ways; a duplicate often swaps one for the other.
ABBREVIATIONS = [
    ("Company Limited", "Co., Ltd."),
    ("Co., Ltd.", "Company Limited"),
    ("Limited", "Ltd"),
    ("Ltd", "Limited"),
    ("Technology", "Tech"),
    ("International", "Intl"),
    ("有限责任公司", "有限公司"),
    ("有限公司", "有限责任公司"),
    ("股份有限公司", "股份公司"),
    ("集团有限公司", "集团"),
]

FOREIGN = [
    ("US", "USD", ["New York", "Chicago", "San Jose", "Houston"]),
    ("SG", "USD", ["Singapore"]),
    ("HK", "USD", ["Hong Kong"]),
    ("DE", "EUR", ["Munich", "Hamburg", "Stuttgart"]),
    ("NL", "EUR", ["Rotterdam", "Eindhoven"]),
    ("FR", "EUR", ["Lyon", "Paris"]),
]

TITLES = [
    "采购经理", "财务经理", "总经理", "Purchasing Manager", "Accounts Payable", "CFO",
    "Operations Director", "采购专员", "技术总监", "Office Manager",
]  # fmt: skip

PRODUCT_FAMILIES = [
    ("SENS", "传感器 Sensors"),
    ("CTRL", "控制器 Controllers"),
    ("DRV", "驱动器 Drives"),
    ("HMI", "人机界面 HMI"),
    ("CBL", "线缆 Cables"),
    ("PWR", "电源 Power Supplies"),
    ("SVC", "服务 Services"),
    ("SW", "软件 Software"),
]

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def salesforce_id(prefix: str, n: int) -> str:
    """An 18-character Salesforce id: 3-char key prefix, 12 base-62 chars, 3-char case suffix."""
    body = ""
    for _ in range(9):
        n, r = divmod(n, 62)
        body = B62[r] + body
    id15 = prefix + "5g0" + body
    suffix = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, c in enumerate(chunk) if c.isupper())
        suffix += _SF_SUFFIX[bits]
    return id15 + suffix


_USCC_BODY = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def valid_uscc(rng: random.Random) -> str:
    """A unified social credit code whose check digit python-stdnum accepts."""
    head = rng.choice("9915") + rng.choice("1123") + rng.choice(REGION_CODES)
    org = "".join(rng.choice(_USCC_BODY[:10] if i < 8 else _USCC_BODY) for i in range(9))
    first17 = head + org
    return first17 + uscc.calc_check_digit(first17)


def invalid_uscc(rng: random.Random) -> str:
    code = valid_uscc(rng)
    kind = rng.random()
    if kind < 0.5:  # wrong check digit
        wrong = [c for c in _USCC_BODY if c != code[-1]]
        return code[:-1] + rng.choice(wrong)
    if kind < 0.8:  # a digit lost while typing
        return code[:-2] + code[-1]
    return code.replace(code[9], "O", 1)  # O is not in the alphabet


def china_mobile(rng: random.Random) -> str:
    prefix = rng.choice(["138", "139", "137", "135", "158", "186", "188", "131", "177", "199"])
    rest = f"{rng.randrange(10**8):08d}"
    style = rng.random()
    if style < 0.4:
        return f"+86 {prefix} {rest[:4]} {rest[4:]}"
    if style < 0.8:
        return prefix + rest
    return f"{prefix}-{rest[:4]}-{rest[4:]}"


def china_landline(rng: random.Random, area: str) -> str:
    width = 8 if len(area) == 2 else 7
    first = rng.choice("2345678")
    local = first + f"{rng.randrange(10 ** (width - 1)):0{width - 1}d}"
    return f"0{area}-{local}" if rng.random() < 0.7 else f"+86 {area} {local}"


def invalid_phone(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.randrange(10**5):05d}",
            f"138{rng.randrange(10**4):04d}",
            "0000000000",
            f"1{rng.randrange(10**11):011d}",  # twelve digits
            "n/a",
            "待定",
        ]
    )


def invalid_email(rng: random.Random, local: str, domain: str) -> str:
    return rng.choice(
        [
            f"{local}@@{domain}",
            f"{local}.{domain}",
            f"{local}@{domain.split('.')[0]}",
            f"{local} at {domain}",
            f"{local}@{domain},sales@{domain}",
        ]
    )


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: a dropped, doubled, swapped or replaced character."""
    if len(text) < 4:
        return text + text[-1:]
    i = rng.randrange(1, len(text) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    if kind == 2:
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
    pool = "的一是在有人中大国和" if ord(text[i]) > 0x2E80 else "aeiounrst"
    return text[:i] + rng.choice(pool) + text[i + 1 :]


def abbreviate(rng: random.Random, text: str) -> str | None:
    options = [(a, b) for a, b in ABBREVIATIONS if a in text]
    if not options:
        return None
    a, b = rng.choice(options)
    return text.replace(a, b, 1)
