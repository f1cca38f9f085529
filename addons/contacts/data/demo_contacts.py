"""Demo contacts for a first look: Chinese and international companies and
people, as plain dicts (no database here; services/load_demo.py stores them).

Deterministic: one seeded random generator, so the same arguments give the
same records, each with a stable key (`c0001`, `p0001`) the loader uses to
recognise what it stored before. Every value is made to pass the contacts'
own validation: unified social credit codes and EU VAT numbers with their
python-stdnum check digits, phone numbers checked by phonenumbers, e-mail
addresses on example.com subdomains (reserved: nothing is ever delivered).
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

import phonenumbers
from stdnum import luhn
from stdnum.cn import uscc
from stdnum.eu import vat as eu_vat
from stdnum.gb import vat as gb_vat
from stdnum.iso7064 import mod_11_10

SEED = 20261123
CHINESE_SHARE = 0.6
PEOPLE_WITH_COMPANY = 0.85
TEAMS = {"Demo East China": ["demo.li", "demo.zhang"],
         "Demo Europe & Americas": ["demo.smith", "demo.mueller"]}
SALESPEOPLE = {"demo.li": ("Li", "Na"), "demo.zhang": ("Zhang", "Wei"),
               "demo.smith": ("Smith", "Olivia"), "demo.mueller": ("Müller", "Jonas")}
TAGS = ["VIP", "经销商", "Trade fair 2026", "Newsletter", "Partner", "供应商"]
TIER_WEIGHTS = {"A": 1, "B": 3, "C": 4, None: 2}
TIMELINE_ANCHOR = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.timezone.utc)

# city, province, administrative division code (for the USCC), area code, postal code
CN_CITIES = [("上海", "上海市", "310115", "21", "200120"), ("深圳", "广东省", "440305", "755", "518057"),
             ("北京", "北京市", "110108", "10", "100080"), ("广州", "广东省", "440106", "20", "510630"),
             ("杭州", "浙江省", "330106", "571", "310012"), ("苏州", "江苏省", "320505", "512", "215011"),
             ("成都", "四川省", "510107", "28", "610041")]
CN_BRANDS = [("华信", "huaxin"), ("腾越", "tengyue"), ("中科", "zhongke"), ("宏达", "hongda"),
             ("瑞丰", "ruifeng"), ("金桥", "jinqiao"), ("东方", "dongfang"), ("明阳", "mingyang"),
             ("安泰", "antai"), ("博远", "boyuan"), ("凯盛", "kaisheng"), ("新元", "xinyuan"),
             ("恒通", "hengtong"), ("天成", "tiancheng"), ("联创", "lianchuang"), ("嘉禾", "jiahe")]
CN_TRADES = [("科技", "tech", "Software"), ("贸易", "trade", "Wholesale"),
             ("电子", "elec", "Electronics"), ("物流", "logistics", "Logistics"),
             ("机械", "machinery", "Machinery"), ("医疗器械", "medical", "Medical devices"),
             ("新能源", "energy", "Energy"), ("食品", "food", "Food")]
CN_STREETS = {"上海": ["张江路", "南京西路"], "深圳": ["科苑路", "深南大道"], "北京": ["中关村大街"],
              "广州": ["天河路"], "杭州": ["文三路"], "苏州": ["星湖街"], "成都": ["天府大道"]}
CN_SURNAMES = [("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
               ("杨", "yang"), ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"),
               ("徐", "xu"), ("孙", "sun"), ("胡", "hu"), ("朱", "zhu"), ("高", "gao")]
CN_GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
            ("磊", "lei"), ("洋", "yang"), ("艳", "yan"), ("勇", "yong"), ("杰", "jie"),
            ("婷", "ting"), ("强", "qiang"), ("晓明", "xiaoming"), ("海燕", "haiyan"),
            ("建华", "jianhua"), ("雪梅", "xuemei"), ("志强", "zhiqiang"), ("丽娟", "lijuan")]
CN_TITLES = ["总经理", "采购经理", "销售总监", "财务经理", "技术总监", "市场经理", "运营主管"]

# country, cities (city, province/state, postal code, area prefix), legal form, locale
INTL = {
    "DE": ([("Berlin", "Berlin", "10115", "30"), ("München", "Bayern", "80331", "89"),
            ("Hamburg", "Hamburg", "20095", "40")], "GmbH"),
    "FR": ([("Paris", "Île-de-France", "75002", "1"), ("Lyon", "Auvergne-Rhône-Alpes", "69002", "4"),
            ("Toulouse", "Occitanie", "31000", "5")], "SAS"),
    "GB": ([("London", "England", "EC1A 1BB", "20"), ("Manchester", "England", "M1 1AE", "161"),
            ("Edinburgh", "Scotland", "EH1 1YZ", "131")], "Ltd"),
    "US": ([("San Francisco", "CA", "94105", "415"), ("Chicago", "IL", "60601", "312"),
            ("Boston", "MA", "02108", "617")], "Inc."),
}
INTL_MOBILE = {"DE": "151", "FR": "6", "GB": "7700", "US": None}
INTL_BRANDS = {"DE": ["Müller", "Schneider", "Becker", "Hoffmann", "Wagner", "Krüger"],
               "FR": ["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet"],
               "GB": ["Hartley", "Whitmore", "Ashford", "Pemberton", "Caldwell", "Fairbairn"],
               "US": ["Redwood", "Summit", "Lakeside", "Pioneer", "Bayview", "Granite"]}
INTL_TRADES = {"DE": [("Maschinenbau", "Machinery"), ("Logistik", "Logistics"),
                      ("Elektronik", "Electronics"), ("Medizintechnik", "Medical devices")],
               "FR": [("Logistique", "Logistics"), ("Électronique", "Electronics"),
                      ("Agroalimentaire", "Food"), ("Énergie", "Energy")],
               "GB": [("Engineering", "Machinery"), ("Trading", "Wholesale"),
                      ("Analytics", "Software"), ("Freight", "Logistics")],
               "US": [("Analytics", "Software"), ("Devices", "Electronics"),
                      ("Supply", "Wholesale"), ("Power", "Energy")]}
INTL_STREETS = {"DE": ["Hauptstraße", "Bahnhofstraße", "Lindenallee"],
                "FR": ["rue de Rivoli", "avenue Jean Jaurès", "rue Victor Hugo"],
                "GB": ["High Street", "Station Road", "Church Lane"],
                "US": ["Market Street", "Main Street", "Oak Avenue"]}
INTL_FIRST = {"DE": ["Lukas", "Anna", "Felix", "Lea", "Jonas", "Marie", "Paul", "Sophie"],
              "FR": ["Camille", "Louis", "Chloé", "Hugo", "Léa", "Jules", "Manon", "Gabriel"],
              "GB": ["Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Jack", "Emily"],
              "US": ["James", "Emma", "Noah", "Mia", "Liam", "Harper", "Ethan", "Ella"]}
INTL_LAST = {"DE": ["Schmidt", "Fischer", "Weber", "Meyer", "Schulz", "Koch", "Richter"],
             "FR": ["Martin", "Bernard", "Petit", "Durand", "Leroy", "Roux", "Fournier"],
             "GB": ["Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker"],
             "US": ["Johnson", "Williams", "Miller", "Davis", "Garcia", "Wilson", "Moore"]}
INTL_TITLES = ["CEO", "Head of Purchasing", "Sales Director", "CFO", "CTO", "Account Manager"]

ACTIVITIES = {"cn": [("call", "电话沟通报价", "客户希望下周收到正式报价。"),
                     ("meeting", "上门拜访", "与采购团队讨论年度框架协议。"),
                     ("note", "展会上认识", None),
                     ("call", "跟进样品反馈", "样品测试通过，准备小批量试单。")],
              "intl": [("call", "Quote follow-up", "Asked for volume pricing."),
                       ("meeting", "Visit at their office", "Discussed the 2027 framework agreement."),
                       ("note", "Met at the trade fair", None),
                       ("call", "Sample feedback", "Samples passed their tests.")]}


@dataclass
class DemoSet:
    companies: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)


def _valid_phone(rng: random.Random, region: str, prefix: str, length: int) -> str:
    """A number that phonenumbers accepts, written the international way."""
    for _ in range(1000):
        national = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix)))
        parsed = phonenumbers.parse(national, region)
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    raise RuntimeError(f"no valid {region} number found for prefix {prefix}")


def _cn_mobile(rng):
    return _valid_phone(rng, "CN", rng.choice(["138", "139", "150", "186", "177", "135"]), 11)


def _uscc(rng: random.Random, division: str) -> str:
    """A unified social credit code: 9 (industry & commerce), 1 (company),
    the division code, an organisation code, and stdnum's check character."""
    body = "91" + division + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return uscc.validate(body + uscc.calc_check_digit(body))


def _vat(rng: random.Random, country: str) -> str | None:
    if country == "DE":
        digits = str(rng.randint(10_000_000, 99_999_999))
        return eu_vat.validate("DE" + digits + mod_11_10.calc_check_digit(digits))
    if country == "FR":
        head = str(rng.randint(10_000_000, 99_999_999))
        siren = head + luhn.calc_check_digit(head)
        key = (12 + 3 * (int(siren) % 97)) % 97
        return eu_vat.validate(f"FR{key:02d}{siren}")
    if country == "GB":
        while True:
            number = "GB" + str(rng.randint(100_000_000, 999_999_999))
            if gb_vat.is_valid(number):
                return number
    return None  # US: no federal VAT


def _pick_tier(rng):
    names = list(TIER_WEIGHTS)
    return rng.choices(names, weights=[TIER_WEIGHTS[n] for n in names])[0]


def _tags(rng):
    return sorted(rng.sample(TAGS, rng.choice([0, 0, 1, 1, 2])))


def _activities(rng, flavour: str) -> list[dict]:
    if rng.random() > 0.4:
        return []
    entries = []
    for n in range(rng.randint(1, 3)):
        kind, subject, body = rng.choice(ACTIVITIES[flavour])
        at = TIMELINE_ANCHOR - dt.timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 600))
        entries.append({"key": n, "kind": kind, "subject": subject, "body": body,
                        "occurred_at": at})
    return entries


def _cn_company(rng, key, used):
    for attempt in range(100):
        city, province, division, area, postal = rng.choice(CN_CITIES)
        (brand, brand_py), (trade, trade_py, industry) = rng.choice(CN_BRANDS), rng.choice(CN_TRADES)
        # the names run out long after the default counts: then the key keeps them apart
        name = f"{city}{brand}{trade}{'' if attempt < 99 else key.upper()}有限公司"
        if name not in used:
            break
    domain = f"{brand_py}-{trade_py}.example.com"
    return {"key": key, "name": name, "country_code": "CN", "city": city, "province": province,
            "postal_code": postal, "street": f"{rng.choice(CN_STREETS[city])}{rng.randint(1, 999)}号",
            "tax_id": _uscc(rng, division), "industry": industry,
            "website": f"https://{domain}", "domain": domain,
            "phones": [("work", _valid_phone(rng, "CN", area, len(area) + 8))],
            "emails": [("work", f"info@{domain}")], "flavour": "cn"}


def _intl_company(rng, key, used):
    for attempt in range(100):
        country = rng.choice(sorted(INTL))
        cities, form = INTL[country]
        city, province, postal, area = rng.choice(cities)
        brand = rng.choice(INTL_BRANDS[country])
        trade, industry = rng.choice(INTL_TRADES[country])
        name = f"{brand} {trade}{'' if attempt < 99 else ' ' + key.upper()} {form}"
        if name not in used:
            break
    slug = "".join(ch for ch in f"{brand}-{trade}".lower().translate(
        str.maketrans("äöüéèêàç", "aoueeeac")) if ch.isalnum() or ch == "-")
    domain = f"{slug}.example.com"
    length = {"DE": len(area) + 7, "FR": 9, "GB": 10, "US": 10}[country]
    return {"key": key, "name": name, "country_code": country, "city": city,
            "province": province, "postal_code": postal,
            "street": (f"{rng.choice(INTL_STREETS[country])} {rng.randint(1, 200)}" if country == "DE"
                       else f"{rng.randint(1, 200)} {rng.choice(INTL_STREETS[country])}"),
            "tax_id": _vat(rng, country), "industry": industry,
            "website": f"https://{domain}", "domain": domain,
            "phones": [("work", _valid_phone(rng, country, area, length))],
            "emails": [("work", f"contact@{domain}")], "flavour": "intl"}


def _cn_person(rng, key, company):
    (surname, s_py), (given, g_py) = rng.choice(CN_SURNAMES), rng.choice(CN_GIVEN)
    domain = company["domain"] if company else "mail.example.com"
    return {"key": key, "name": surname + given, "job_title": rng.choice(CN_TITLES),
            "country_code": "CN", "city": company["city"] if company else rng.choice(CN_CITIES)[0],
            "phones": [("mobile", _cn_mobile(rng))],
            "emails": [("work", f"{g_py}.{s_py}.{key}@{domain}")], "flavour": "cn"}


def _intl_person(rng, key, company):
    country = company["country_code"] if company else rng.choice(sorted(INTL))
    first, last = rng.choice(INTL_FIRST[country]), rng.choice(INTL_LAST[country])
    domain = company["domain"] if company else "mail.example.com"
    mobile = INTL_MOBILE[country]
    phone = (_valid_phone(rng, country, mobile, {"DE": 11, "FR": 9, "GB": 10}[country])
             if mobile else _valid_phone(rng, "US", rng.choice(["415", "312", "617"]), 10))
    local = "".join(ch for ch in f"{first}.{last}".lower().translate(
        str.maketrans("éèëöüä", "eeeoua")) if ch.isalnum() or ch == ".")
    return {"key": key, "name": f"{first} {last}", "job_title": rng.choice(INTL_TITLES),
            "country_code": country,
            "city": company["city"] if company else rng.choice(INTL[country][0])[0],
            "phones": [("mobile", phone)],
            "emails": [("work", f"{local}.{key}@{domain}")], "flavour": "intl"}


def generate(companies: int = 200, people: int = 400, seed: int = SEED) -> DemoSet:
    """`companies` companies and `people` people; the first N of a bigger set
    are the same records as a smaller set with the same seed."""
    demo = DemoSet()
    rng_c = random.Random(f"{seed}-companies")
    used: set[str] = set()
    salespeople = [u for members in TEAMS.values() for u in members]
    for n in range(companies):
        key = f"c{n + 1:04d}"
        chinese = rng_c.random() < CHINESE_SHARE
        company = (_cn_company if chinese else _intl_company)(rng_c, key, used)
        used.add(company["name"])
        team_members = TEAMS["Demo East China" if chinese else "Demo Europe & Americas"]
        company.update(owner=rng_c.choice(team_members), tier=_pick_tier(rng_c),
                       tags=_tags(rng_c), timeline=_activities(rng_c, company["flavour"]))
        demo.companies.append(company)
    rng_p = random.Random(f"{seed}-people")
    for n in range(people):
        key = f"p{n + 1:04d}"
        company = (rng_p.choice(demo.companies)
                   if demo.companies and rng_p.random() < PEOPLE_WITH_COMPANY else None)
        chinese = company["flavour"] == "cn" if company else rng_p.random() < CHINESE_SHARE
        person = (_cn_person if chinese else _intl_person)(rng_p, key, company)
        person.update(company_key=company["key"] if company else None,
                      owner=company["owner"] if company else rng_p.choice(salespeople),
                      tier=_pick_tier(rng_p), tags=_tags(rng_p),
                      timeline=_activities(rng_p, person["flavour"]))
        demo.people.append(person)
    return demo
