"""Seed a Crossdock database with N contacts (default 1,000,000) for the
contacts list/search bench: companies and people, realistic Chinese and
Latin names, e-mails and phones, spread over salespeople in teams, with the
search index filled. Timed; works on SQLite and PostgreSQL.

    .venv/bin/python bench/contacts_seed.py --sqlite /tmp/bench/crossdock.sqlite
    .venv/bin/python bench/contacts_seed.py --pg-url postgresql+psycopg://...

The schema comes from Crossdock itself (create_app migrates, the contacts
addon is installed); rows go in by executemany (SQLite) or COPY (PostgreSQL)
with the secondary indexes and the search triggers dropped during the load
and rebuilt after it. Users: `bench_admin` (Admin), `sales01`..`salesNN`
(Salesperson, 5 per team), password PASSWORD.
"""
from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "Bench-pass-123"
TEAM_SIZE = 5

SURNAMES = [("王", "wang", 7), ("李", "li", 7), ("张", "zhang", 7), ("刘", "liu", 5),
            ("陈", "chen", 5), ("杨", "yang", 3), ("赵", "zhao", 2), ("黄", "huang", 2),
            ("周", "zhou", 2), ("吴", "wu", 2), ("徐", "xu", 2), ("孙", "sun", 2),
            ("胡", "hu", 1), ("朱", "zhu", 1), ("高", "gao", 1), ("林", "lin", 1),
            ("何", "he", 1), ("郭", "guo", 1), ("马", "ma", 1), ("罗", "luo", 1),
            ("梁", "liang", 1), ("宋", "song", 1), ("郑", "zheng", 1), ("谢", "xie", 1),
            ("韩", "han", 1), ("唐", "tang", 1), ("冯", "feng", 1), ("于", "yu", 1),
            ("董", "dong", 1), ("萧", "xiao", 1), ("欧阳", "ouyang", 1), ("司马", "sima", 1)]
GIVEN = [("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
         ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"),
         ("勇", "yong"), ("艳", "yan"), ("杰", "jie"), ("娟", "juan"), ("涛", "tao"),
         ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
         ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("玉", "yu"),
         ("兰", "lan"), ("红", "hong"), ("建", "jian"), ("国", "guo"), ("文", "wen"),
         ("辉", "hui"), ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"), ("婷", "ting"),
         ("雪", "xue"), ("琳", "lin"), ("晨", "chen"), ("欣", "xin"), ("佳", "jia"),
         ("子", "zi"), ("梓", "zi"), ("涵", "han"), ("博", "bo"), ("思", "si"),
         ("雨", "yu"), ("晓", "xiao"), ("春", "chun"), ("海", "hai"), ("小", "xiao")]
FIRST = ("James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David "
         "Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy "
         "Matthew Lisa Anthony Betty Mark Margaret Paul Sandra Steven Ashley Andrew Emily "
         "Kenneth Donna Kevin Michelle Brian Carol George Amanda Timothy Melissa Hans Anna "
         "Lukas Sophie Pierre Camille Luca Giulia Carlos Lucia Jan Eva Olaf Ingrid Mateo "
         "Isabella Noah Emma Liam Olivia Lars Freya Pablo Elena Tom Nina").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
        "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
        "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright "
        "Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell "
        "Mitchell Carter Roberts Mueller Schmidt Schneider Fischer Weber Meyer Wagner Becker "
        "Dubois Moreau Laurent Rossi Russo Ferrari Esposito Jansen Visser Larsen Nielsen "
        "Novak Kowalski Silva Santos Costa Murphy Kelly O'Brien").split()
CN_CITIES = [("北京", "010"), ("上海", "021"), ("广州", "020"), ("深圳", "0755"),
             ("杭州", "0571"), ("成都", "028"), ("南京", "025"), ("武汉", "027"),
             ("西安", "029"), ("苏州", "0512"), ("天津", "022"), ("重庆", "023")]
CN_TRADES = ["科技", "贸易", "实业", "电子", "物流", "信息技术", "机械", "食品", "医药",
             "建材", "服饰", "化工", "咨询", "网络", "能源", "文化传媒"]
CN_FORMS = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]
LATIN_TRADES = ["Trading", "Logistics", "Systems", "Foods", "Industries", "Consulting",
                "Electronics", "Pharma", "Textiles", "Machinery", "Software", "Energy"]
LATIN_FORMS = ["Ltd", "GmbH", "Inc.", "S.A.", "B.V.", "AG", "LLC", "S.r.l."]
MAIL = ["163.com", "qq.com", "126.com", "sina.com", "gmail.com", "outlook.com",
        "yahoo.com", "foxmail.com"]
FOREIGN = [("+44", "20", 8), ("+49", "30", 8), ("+33", "1", 8), ("+1", "415", 7),
           ("+39", "02", 8), ("+31", "20", 7)]
CN_MOBILE = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
             "152", "157", "158", "159", "177", "180", "182", "186", "187", "188", "189"]


class Generator:
    """Deterministic, realistic-enough contacts (random.Random(seed))."""

    def __init__(self, seed: int = 42):
        self.r = random.Random(seed)
        self.surnames = [s for s in SURNAMES for _ in range(s[2])]

    def digits(self, n: int) -> str:
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def cn_phones(self, city_code: str | None = None) -> list[str]:
        phones = [f"+86{self.r.choice(CN_MOBILE)}{self.digits(8)}"]
        if city_code and self.r.random() < 0.5:
            area = city_code.lstrip("0")
            phones.append(f"+86{area}{self.r.choice('2345678')}{self.digits(10 - len(area) - 1)}")
        return phones

    def foreign_phone(self) -> str:
        cc, area, n = self.r.choice(FOREIGN)
        return f"{cc}{area}{self.r.choice('2345678')}{self.digits(n - 1)}"

    def person(self, i: int) -> tuple[str, list[str], list[str]]:
        r = self.r
        if r.random() < 0.6:
            sur, sur_py, _ = r.choice(self.surnames)
            given = [r.choice(GIVEN) for _ in range(1 if r.random() < 0.35 else 2)]
            name = sur + "".join(g[0] for g in given)
            local = f"{''.join(g[1] for g in given)}.{sur_py}{i % 997}"
            return name, [f"{local}@{r.choice(MAIL)}"], self.cn_phones() if r.random() < 0.9 \
                else [self.foreign_phone()]
        first, last = r.choice(FIRST), r.choice(LAST)
        email = f"{first.lower()}.{last.lower().replace(chr(39), '')}{i % 997}@{r.choice(MAIL)}"
        phones = [self.foreign_phone()] + ([self.foreign_phone()] if r.random() < 0.3 else [])
        return f"{first} {last}", [email], phones

    def company(self, i: int) -> tuple[str, list[str], list[str]]:
        r = self.r
        if r.random() < 0.6:
            (city, code), trade = r.choice(CN_CITIES), r.choice(CN_TRADES)
            brand = [r.choice(GIVEN) for _ in range(2)]
            name = f"{city}{''.join(b[0] for b in brand)}{trade}{r.choice(CN_FORMS)}"
            domain = f"{''.join(b[1] for b in brand)}{i % 9973}.com.cn"
            return name, [f"info@{domain}", f"sales@{domain}"][:r.choice((1, 2))], \
                self.cn_phones(code)
        last, trade = r.choice(LAST), r.choice(LATIN_TRADES)
        name = f"{last} {trade} {r.choice(LATIN_FORMS)}"
        domain = f"{last.lower().replace(chr(39), '')}-{trade.lower()}{i % 9973}.com"
        return name, [f"info@{domain}"], [self.foreign_phone()]


def make_schema(url: str, instance: Path, owners: int):
    """create_app migrates; install contacts; bench users and teams."""
    from core.addons import lifecycle
    from core.app import create_app
    from core.config import Settings
    from core.db import db
    from core.security.teams import Team
    from core.users import create_user

    app = create_app(Settings.from_env(instance_path=instance, database_url=url,
                                       addon_poll_seconds=3600.0))
    with app.app_context():
        runtime = app.extensions["crossdock"].runtime
        if "contacts" not in lifecycle.present(db.session):
            lifecycle.install(db.session, runtime, ["contacts"])
        sm = app.appbuilder.sm
        admin = sm.find_user(username="bench_admin") or create_user(
            sm, "bench_admin", "bench_admin@example.com", PASSWORD, ["Admin"])
        first = sm.find_user(username="sales01") or create_user(
            sm, "sales01", "sales01@example.com", PASSWORD, ["Salesperson"])
        role = sm.find_role("Salesperson")
        users, teams = [first], {}
        for n in range(2, owners + 1):
            name = f"sales{n:02d}"
            user = sm.find_user(username=name)
            if user is None:  # same password hash: one key derivation, not 50
                user = sm.user_model(username=name, first_name=name, last_name="-",
                                     email=f"{name}@example.com", active=True,
                                     password=first.password, roles=[role])
                db.session.add(user)
            users.append(user)
        for k, user in enumerate(users):
            team_name = f"Bench team {k // TEAM_SIZE + 1}"
            team = teams.get(team_name) or db.session.query(Team).filter_by(
                name=team_name).one_or_none() or Team(name=team_name)
            teams[team_name] = team
            if user not in team.members:
                team.members.append(user)
            db.session.add(team)
        db.session.commit()
        owner_team = [(u.id, teams[f"Bench team {k // TEAM_SIZE + 1}"].id)
                      for k, u in enumerate(users)]
        db.session.remove()
        db.engine.dispose()
    return admin.id, owner_team


TABLES = ["contacts_company", "contacts_person", "contacts_phone", "contacts_email",
          "contacts_company_search", "contacts_person_search"]
COLUMNS = {
    "contacts_company": ["id", "name", "city", "country_code", "active", "owner_id", "team_id"],
    "contacts_person": ["id", "name", "city", "country_code", "active", "owner_id", "team_id",
                        "company_id", "job_title"],
    "contacts_phone": ["id", "company_id", "person_id", "kind", "number", "e164"],
    "contacts_email": ["id", "company_id", "person_id", "kind", "email", "normalised"],
    "contacts_company_search": ["sort_key", "contact_id", "name", "owner_id", "team_id",
                                "haystack", "word_starts"],
    "contacts_person_search": ["sort_key", "contact_id", "name", "owner_id", "team_id",
                               "haystack", "word_starts"],
}


def generate(count: int, owner_team, company_share: float = 0.4):
    """Rows per table, in id order: the whole data set in memory (~2 GB at 1M)."""
    from addons.contacts.rules.search_terms import document, sort_key

    gen = Generator()
    rows = {t: [] for t in TABLES}
    n_company = int(count * company_share)
    phone_id = email_id = 0
    for kind, n in (("company", n_company), ("person", count - n_company)):
        for i in range(1, n + 1):
            name, emails, phones = gen.company(i) if kind == "company" else gen.person(i)
            owner, team = owner_team[gen.r.randrange(len(owner_team))]
            cn = phones[0].startswith("+86")
            city = gen.r.choice(CN_CITIES)[0] if cn else None
            base = [i, name, city, "CN" if cn else None, True, owner, team]
            if kind == "person":
                base += [gen.r.randint(1, n_company) if gen.r.random() < 0.5 else None,
                         gen.r.choice([None, "经理", "Sales Manager", "采购", "Engineer"])]
            rows[f"contacts_{kind}"].append(base)
            parent = [i, None] if kind == "company" else [None, i]
            for p in phones:
                phone_id += 1
                rows["contacts_phone"].append([phone_id, *parent, "work", p, p])
            for e in emails:
                email_id += 1
                rows["contacts_email"].append([email_id, *parent, "work", e, e.lower()])
            doc = document(name, emails, phones)
            rows[f"contacts_{kind}_search"].append(
                [sort_key(name, i), i, doc["name"], owner, team, doc["haystack"],
                 doc["word_starts"]])
    return rows


def load_sqlite(path: str, rows) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")  # consistent by construction
    conn.execute("PRAGMA cache_size=-1000000")
    names = ",".join(f"'{t}'" for t in TABLES)
    saved = conn.execute(
        f"SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN ({names}) "
        "AND type IN ('index', 'trigger') AND sql IS NOT NULL").fetchall()
    conn.execute("BEGIN")
    for kind, name, _ in saved:
        conn.execute(f"DROP {kind} {name}")
    for table in TABLES:
        cols = COLUMNS[table]
        conn.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES "
                         f"({','.join('?' * len(cols))})", rows[table])
    t = time.perf_counter()
    for _, _, sql in saved:
        conn.execute(sql)
    for table in ("contacts_company_search", "contacts_person_search"):
        conn.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
    conn.execute("COMMIT")
    print(f"  indexes and FTS rebuilt in {time.perf_counter() - t:.1f} s")
    conn.execute("ANALYZE")
    conn.close()


def copy_into_postgres(url: str, rows: dict, columns: dict, tables: list[str],
                       sequences: list[str], vacuum: list[str] | None = None) -> float:
    """COPY `rows` into `tables` with their secondary indexes dropped and
    rebuilt after, then move the id sequences of `sequences` past the given
    ids and VACUUM ANALYZE (`vacuum` tables, or the whole database).
    Returns the seconds the index rebuild took. Shared with bench/sales_seed.py."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        cur = conn.cursor()
        cur.execute("SET session_replication_role = replica")  # no FK triggers in the load
        cur.execute("SET maintenance_work_mem = '512MB'")
        saved = cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (tables,)).fetchall()
        for name, _ in saved:
            cur.execute(f'DROP INDEX "{name}"')
        for table in tables:
            with cur.copy(f"COPY {table} ({','.join(columns[table])}) FROM STDIN") as copy:
                for row in rows[table]:
                    copy.write_row(row)
        t = time.perf_counter()
        for _, sql in saved:
            cur.execute(sql)
        for table in sequences:  # ids were given: move the sequences on
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
        conn.commit()
        rebuilt = time.perf_counter() - t
        conn.autocommit = True
        for table in vacuum if vacuum is not None else [""]:
            conn.execute(f"VACUUM ANALYZE {table}".strip())
    return rebuilt


def load_postgres(url: str, rows) -> None:
    rebuilt = copy_into_postgres(
        url, rows, COLUMNS, list(TABLES),
        sequences=["contacts_company", "contacts_person", "contacts_phone", "contacts_email"])
    print(f"  indexes rebuilt in {rebuilt:.1f} s")


def seed(url: str, count: int, owners: int, instance: Path) -> dict:
    t0 = time.perf_counter()
    admin_id, owner_team = make_schema(url, instance, owners)
    t1 = time.perf_counter()
    rows = generate(count, owner_team)
    t2 = time.perf_counter()
    if url.startswith("sqlite"):
        load_sqlite(url.removeprefix("sqlite:///"), rows)
    else:
        load_postgres(url, rows)
    t3 = time.perf_counter()
    sizes = {t: len(r) for t, r in rows.items()}
    print(f"seeded {count:,} contacts ({sizes['contacts_company']:,} companies, "
          f"{sizes['contacts_person']:,} people, {sizes['contacts_phone']:,} phones, "
          f"{sizes['contacts_email']:,} e-mails) over {owners} owners")
    print(f"  schema+users {t1 - t0:.1f} s, generate {t2 - t1:.1f} s, load+index "
          f"{t3 - t2:.1f} s, total {t3 - t0:.1f} s")
    return {"admin_id": admin_id, "owners": [o for o, _ in owner_team]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", help="path of the SQLite file to create")
    where.add_argument("--pg-url", help="URL of an empty PostgreSQL database")
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--owners", type=int, default=50)
    parser.add_argument("--instance", default=None, help="instance folder (secret key)")
    args = parser.parse_args()
    url = f"sqlite:///{Path(args.sqlite).resolve()}" if args.sqlite else args.pg_url
    instance = Path(args.instance or tempfile.mkdtemp(prefix="crossdock-seed-"))
    seed(url, args.count, args.owners, instance)


if __name__ == "__main__":
    main()
