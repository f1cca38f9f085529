"""Demo sales data on top of the contacts demo (data/demo_contacts.py of the
contacts addon): as plain values, no database here (services/seeding/load_demo.py
stores them).

Deterministic: one seeded generator, every record with a stable key the
loader recognises on a second run. Dates are offsets in days from the day
of the load, so a demo loaded today has this month's forecast, overdue
activities and next month's close dates whatever the day.

The two demo teams of the contacts demo sell here: "Demo East China" on a
Chinese pipeline (新线索 ... 赢单) in CNY, "Demo Europe & Americas" on an
English one in USD and EUR. Each gets a Sales Manager.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from addons.contacts.data.demo_contacts import TEAMS, generate as generate_contacts

SEED = 20261124
CAMPAIGN = "Demo 2026"  # marks the demo's leads (and lets a user filter them out)
EAST, WEST = "Demo East China", "Demo Europe & Americas"

# username -> (last name, first name, team): the teams' Sales Managers
MANAGERS = {"demo.wang": ("Wang", "Fang", EAST), "demo.jones": ("Jones", "Emma", WEST)}

# name, probability hint, won, folded; per team
STAGES = {
    EAST: (("新线索", 10, False, False), ("初步沟通", 25, False, False),
           ("方案报价", 50, False, False), ("商务谈判", 75, False, False),
           ("赢单", 100, True, True)),
    WEST: (("New", 10, False, False), ("Discovery", 25, False, False),
           ("Proposal", 50, False, False), ("Negotiation", 75, False, False),
           ("Won", 100, True, True)),
}

# units of the currency per 1 CNY (the base), from the first of each month of 2026
RATES = {
    "USD": ("0.1392", "0.1388", "0.1385", "0.1381", "0.1379", "0.1384", "0.1390", "0.1396",
            "0.1401", "0.1405", "0.1402", "0.1398"),
    "EUR": ("0.1321", "0.1310", "0.1298", "0.1287", "0.1279", "0.1283", "0.1276", "0.1270",
            "0.1268", "0.1273", "0.1280", "0.1284"),
    "JPY": ("20.41", "20.63", "20.88", "21.02", "21.37", "21.55", "21.12", "20.96",
            "20.74", "20.81", "21.05", "21.20"),
}
RATE_YEAR = 2026

# code, name (zh / en), unit, tax, list price CNY, USD, EUR
PRODUCTS = (
    ("CD-HS100", "手持条码扫描枪 / Handheld barcode scanner", "台", "VAT 13%",
     "1280.00", "189.00", "175.00"),
    ("CD-LP200", "工业标签打印机 / Industrial label printer", "台", "VAT 13%",
     "6800.00", "990.00", "915.00"),
    ("CD-TAB8", "加固平板电脑 / Rugged tablet", "台", "VAT 13%", "4580.00", "665.00", "615.00"),
    ("CD-RFID1K", "RFID 电子标签（千枚） / RFID tags (1,000)", "盒", "VAT 13%",
     "950.00", "139.00", "129.00"),
    ("CD-GW10", "物联网网关 / IoT gateway", "台", "VAT 13%", "2200.00", "320.00", "296.00"),
    ("CD-TS30", "冷链温湿度传感器 / Cold-chain sensor", "个", "VAT 13%",
     "320.00", "46.00", "43.00"),
    ("CD-WMS-U", "WMS 仓储软件许可（用户·年） / WMS licence (user-year)", "用户·年", "VAT 6%",
     "3600.00", "520.00", "480.00"),
    ("CD-IMPL", "实施服务（人天） / Implementation (person-day)", "人天", "VAT 6%",
     "2500.00", "380.00", "350.00"),
    ("CD-TRAIN", "现场培训（天） / On-site training (day)", "天", "VAT 6%",
     "4000.00", "590.00", "545.00"),
    ("CD-SUP", "年度维保服务 / Annual support contract", "年", "VAT 6%",
     "12000.00", "1750.00", "1620.00"),
)

# price list name, tier, currency, discount per quantity break (min quantity -> % off)
PRICE_LISTS = (
    ("A 级客户价 Key accounts (CNY)", "A", "CNY", ((0, 5), (10, 10), (50, 15))),
    ("Key accounts (USD)", "A", "USD", ((0, 5), (10, 10), (50, 15))),
    ("Key accounts (EUR)", "A", "EUR", ((0, 5), (10, 10), (50, 15))),
    ("B 级客户价 Regular (CNY)", "B", "CNY", ((0, 0), (20, 5))),
    ("Regular customers (USD)", "B", "USD", ((0, 0), (20, 5))),
)

DEALS = {
    "cn": ("仓库扫描终端升级", "冷链监控项目", "WMS 上线", "标签打印系统改造", "RFID 资产盘点",
           "年度维保续约", "智能仓储试点", "门店 PDA 采购"),
    "intl": ("Warehouse scanning rollout", "Cold-chain monitoring", "WMS go-live",
             "Label printing refresh", "RFID asset tracking", "Support renewal",
             "Smart warehouse pilot", "Store handhelds"),
}
SOURCES = ("web", "referral", "trade fair", "cold call", "partner")
REGIONS = {"cn": ("华东", "华南", "华北", "西南"), "intl": ("DACH", "France", "UK", "North America")}
LOST_REASONS = ("Too expensive", "Chose a competitor", "No budget", "No response", "Not a fit")
ACTIVITY_TEXT = {
    "cn": {"call": ("电话跟进需求", "确认预算和决策人"), "meeting": ("现场演示", "方案评审会"),
           "todo": ("发送报价单", "准备合同草稿")},
    "intl": {"call": ("Follow-up call", "Check budget and decision maker"),
             "meeting": ("On-site demo", "Solution review"),
             "todo": ("Send the quotation", "Draft the contract")},
}

# assignment rules for the unassigned leads, tried in this order: name, source,
# region, team, pool of (salesperson, weight, capacity or None)
ASSIGNMENT_RULES = (
    ("华东网站线索 East China web leads", "web", "华东", EAST,
     (("demo.li", 2, None), ("demo.zhang", 1, 40))),
    ("展会线索 Trade fair leads", "trade fair", None, EAST,
     (("demo.zhang", 1, None), ("demo.li", 1, None))),
    ("DACH inbound", None, "DACH", WEST, (("demo.mueller", 1, None),)),
    ("Europe & Americas referrals", "referral", None, WEST,
     (("demo.smith", 1, None), ("demo.mueller", 1, None))),
)


@dataclass
class SalesDemo:
    leads: list[dict] = field(default_factory=list)
    orders: list[dict] = field(default_factory=list)


def _team_of(flavour: str) -> str:
    return EAST if flavour == "cn" else WEST


def generate(opportunities: int = 90, leads: int = 20, orders: int = 12,
             seed: int = SEED) -> SalesDemo:
    """`leads` unqualified leads and `opportunities` opportunities over the first
    companies and people of the contacts demo; `orders` quotations on won or
    late-stage opportunities (confirmed for the won ones)."""
    contacts = generate_contacts()  # the contacts demo's defaults: the records it stores
    companies, people = contacts.companies[:60], contacts.people[:120]
    rng = random.Random(seed)
    demo = SalesDemo()
    used: set[str] = set()
    for n in range(leads + opportunities):
        is_lead = n < leads
        key = f"{'l' if is_lead else 'o'}{n + 1:03d}"
        pick = rng.random()
        company = person = None
        if is_lead and pick < 0.4:  # a bare inbound lead: typed names only
            flavour = "cn" if rng.random() < 0.6 else "intl"
            owner = None if rng.random() < 0.5 else rng.choice(TEAMS[_team_of(flavour)])
        elif pick < 0.7:
            company = rng.choice(companies)
            flavour, owner = company["flavour"], company["owner"]
        else:
            person = rng.choice(people)
            flavour, owner = person["flavour"], person["owner"]
        deal = rng.choice(DEALS[flavour])
        who = (company or person or {}).get("name")
        name = f"{deal} - {who}" if who else f"{deal} ({key})"
        while name in used:
            name += " II"
        used.add(name)
        status, stage = "open", rng.choice((0, 0, 1)) if is_lead else rng.choice(
            (0, 1, 1, 2, 2, 2, 3, 3))
        if not is_lead:
            roll = rng.random()
            status = "won" if roll < 0.16 else "lost" if roll < 0.30 else "open"
        currency = "CNY" if flavour == "cn" else rng.choice(("USD", "USD", "EUR"))
        revenue = Decimal(rng.randrange(8, 400) * 1000) if currency == "CNY" else \
            Decimal(rng.randrange(2, 60) * 500)
        record = {
            "key": key, "type": "lead" if is_lead else "opportunity", "name": name,
            "flavour": flavour, "owner": owner,
            # the owner's team (a contact's owner may sell in the other team)
            "team": next((t for t, members in TEAMS.items() if owner in members),
                         _team_of(flavour)),
            "company_key": company["key"] if company else None,
            "person_key": person["key"] if person else None,
            "contact_name": None, "company_name": None, "email": None,
            "source": rng.choice(SOURCES), "region": rng.choice(REGIONS[flavour]),
            "stage": stage, "status": status, "currency": currency,
            "expected_revenue": Decimal(0) if is_lead else revenue,
            "close_in_days": rng.randint(-20, 180), "priority": rng.choice((0, 0, 1, 2, 3)),
            "lost_reason": rng.choice(LOST_REASONS) if status == "lost" else None,
            "closed_days_ago": rng.randint(3, 150) if status != "open" else None,
            "activities": [],
        }
        if not company and not person:
            record.update(
                contact_name=rng.choice(("陈先生", "刘女士", "Mark Evans", "Julia Roth")),
                company_name=rng.choice(("苏州某物流公司", "Nordic Freight AB", "宁波港务贸易",
                                         "Alpine Retail GmbH")),
                email=f"inbound.{key}@demo.example.com")
        # open deals: planned activities (some overdue); closed ones: done ones
        for a in range(rng.choice((0, 1, 1, 2, 3) if status == "open" else (1, 2))):
            kind = rng.choice(("call", "meeting", "todo"))
            record["activities"].append({
                "key": f"{key}-a{a + 1}", "kind": kind,
                "summary": rng.choice(ACTIVITY_TEXT[flavour][kind]),
                "due_in_days": rng.randint(-12, 21) if status == "open"
                else -(record["closed_days_ago"] + rng.randint(1, 20)),
                "done": status != "open",
            })
        demo.leads.append(record)
    with_company = [r for r in demo.leads if r["type"] == "opportunity" and r["company_key"]]
    won = [r for r in with_company if r["status"] == "won"][:orders // 2]
    late = [r for r in with_company if r["status"] == "open" and r["stage"] >= 2]
    candidates = sorted(won + late[:orders - len(won)], key=lambda r: r["key"])
    for n, deal in enumerate(candidates):
        lines = []
        for code in rng.sample([p[0] for p in PRODUCTS], rng.randint(2, 4)):
            lines.append({"product": code, "quantity": Decimal(rng.choice((1, 2, 5, 10, 12, 20,
                                                                           60)))})
        demo.orders.append({"key": f"q{n + 1:03d}", "lead_key": deal["key"],
                            "confirm": deal["status"] == "won", "lines": lines})
    return demo
