"""One import row checked with the contacts' own rules, into values ready to write.

Every error names the file's column and says why; a row collects all its
errors, not the first only, so the preview shows everything to fix at once.
Lookups (tiers, owners, companies, custom fields) are loaded once per file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.security.actor import Actor

from ...models import Company, Person, Tier
from ...rules.email_normalisation import normalise_email
from ...rules.field_error import ContactFieldError
from ...rules.phone_normalisation import normalise_phone
from ...rules.tax_id_validation import normalise_tax_id
from ..custom_fields.values import fields_for as custom_fields_for
from ..custom_fields.values import parse_value as parse_custom
from .external_ids import bound
from .mapping import COMPANY, CUSTOM_PREFIX, phone_kind
from .permissions import WriteScope

MODELS = {COMPANY: Company, "person": Person}
TEXT_LIMITS = {"name": 200, "street": 255, "city": 128, "province": 128, "postal_code": 32,
               "website": 255, "industry": 128, "source": 128, "job_title": 128,
               "notes": None}
LIST_SPLIT = re.compile(r"[,;，；、|\n]+")
COUNTRY_NAMES = {"中国": "CN", "中华人民共和国": "CN", "china": "CN", "香港": "HK",
                 "hongkong": "HK", "台湾": "TW", "taiwan": "TW", "澳门": "MO", "macau": "MO",
                 "美国": "US", "usa": "US", "unitedstates": "US", "英国": "GB", "uk": "GB",
                 "unitedkingdom": "GB", "德国": "DE", "germany": "DE", "法国": "FR",
                 "france": "FR", "日本": "JP", "japan": "JP", "韩国": "KR", "korea": "KR",
                 "新加坡": "SG", "singapore": "SG"}
TAG_MAX = 64
IS_TRUE = {"true", "1", "yes", "y", "是", "t"}


@dataclass
class ParsedRow:
    number: int  # the row's number in the file (header = 1)
    cells: list[str]
    values: dict = field(default_factory=dict)  # contact columns
    phones: list[tuple[str, str, str]] = field(default_factory=list)  # kind, typed, E.164
    emails: list[tuple[str, str, str]] = field(default_factory=list)  # kind, typed, key
    tags: list[str] = field(default_factory=list)
    custom: dict = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, why)
    owner_given: bool = False  # the file named the owner (else: the importer)
    custom_text: dict = field(default_factory=dict)  # custom values as typed, by key
    external_id: str | None = None  # the row's id in the source system
    company_ref: str | None = None  # a person's company, by its id in the source system
    company_by_key: bool = False  # the company was found by a stable key, not by name
    other_kind: bool = False  # a person in a companies import or the reverse (Odoo's is_company)

    def content_key(self) -> tuple:
        """What an identical row has the same of (rows without identity are compared by it)."""
        return (fold(self.values.get("name")),
                tuple(sorted((k, str(fold(v))) for k, v in self.values.items() if k != "name")),
                tuple(sorted(p[2] for p in self.phones)), tuple(sorted(e[2] for e in self.emails)),
                tuple(sorted(self.tags)), tuple(sorted(self.custom_text.items())))

    def keys(self) -> list[tuple[str, str]]:
        """What duplicate detection compares: e-mails, phones, tax id."""
        keys = [("email", e[2]) for e in self.emails] + [("phone", p[2]) for p in self.phones]
        if self.values.get("tax_id_normalised"):
            keys.append(("tax_id", self.values["tax_id_normalised"]))
        return keys


def split_list(text: str) -> list[str]:
    return [p.strip() for p in LIST_SPLIT.split(text or "") if p.strip()]


KIND_PREFIX = re.compile(r"^([^\W\d][\w ]{0,31}?)\s*[:：]\s*(\S.*)$")


def with_kind(item: str, default: str) -> tuple[str, str]:
    """(kind, value) of "mobile: 138..." as our export writes phones and e-mails."""
    match = KIND_PREFIX.match(item)
    return (match.group(1).strip(), match.group(2).strip()) if match else (default, item)


def fold(value):
    """A value as content comparison sees it: runs of whitespace as one space."""
    return " ".join(value.split()) if isinstance(value, str) else value


class RowParser:
    """Turns the rows of one file into ParsedRows for `kind` under `mapping`."""

    def __init__(self, session: Session, kind: str, headers: list[str],
                 mapping: list[str | None], actor: Actor):
        self.session, self.kind, self.actor = session, kind, actor
        self.columns = [(i, headers[i], t) for i, t in enumerate(mapping) if t]
        self.scope = WriteScope(session, MODELS[kind], actor)
        self.tiers = {name.casefold(): tid
                      for tid, name in session.execute(select(Tier.id, Tier.name))}
        self.custom = {f.key: f for f in custom_fields_for(session, kind)}
        self.users: dict[str, int] = {}
        self.companies: dict[str, list[int]] = {}
        self.company_refs: dict[str, int] = {}  # a company's external id -> its id here
        self.company_tax_ids: dict[str, list[int]] = {}
        self.system: str | None = None  # the source system of external ids (the batch's)

    def prepare(self, rows: list[tuple[int, list[str]]]) -> None:
        """Look owners and companies up once for the whole file."""
        owners, companies, refs, tax_ids = set(), set(), set(), set()
        for _, cells in rows:
            for i, _h, target in self.columns:
                text = cells[i].strip() if i < len(cells) else ""
                if text and target == "owner":
                    owners.add(text.casefold())
                elif text and target == "company":
                    companies.add(text)
                elif text and target == "company_ref":
                    refs.add(text)
                elif text and target == "company_tax_id":
                    try:
                        tax_ids.add(normalise_tax_id(text))
                    except ContactFieldError:
                        pass  # the row says so when it is parsed
        found_tax = sorted(tax_ids)
        for start in range(0, len(found_tax), 500):  # ORM: only companies the importer sees
            for cid, key in self.session.execute(select(Company.id, Company.tax_id_normalised).where(
                    Company.tax_id_normalised.in_(found_tax[start:start + 500]))):
                self.company_tax_ids.setdefault(key, []).append(cid)
        if refs and self.system:
            self.company_refs = bound(self.session, COMPANY, self.system, refs, visible_only=True)
        if owners:
            from flask_appbuilder.security.sqla.models import User

            for uid, username, email in self.session.execute(
                    select(User.id, User.username, User.email)):
                for key in (username, email):
                    if key and key.casefold() in owners:
                        self.users[key.casefold()] = uid
        names = sorted(companies)
        for start in range(0, len(names), 500):
            # an ORM query: record rules apply, a person is linked only to a company the importer sees
            for cid, name in self.session.execute(
                    select(Company.id, Company.name).where(Company.name.in_(names[start:start + 500]))):
                self.companies.setdefault(name, []).append(cid)

    def parse(self, number: int, cells: list[str]) -> ParsedRow:
        row = ParsedRow(number, cells)
        for i, header, target in self.columns:
            text = cells[i].strip() if i < len(cells) else ""
            try:
                self._apply(row, header, target, text)
            except ContactFieldError as exc:
                row.errors.append((header, exc.message))
        first, last = row.values.pop("first_name", None), row.values.pop("last_name", None)
        if (first or last) and not row.values.get("name"):
            cjk = any(ord(ch) > 0x2e80 for ch in (first or "") + (last or ""))
            row.values["name"] = ((last or "") + (first or "") if cjk
                                  else " ".join(p for p in (first, last) if p))
        if row.company_ref is not None:
            if row.company_ref in self.company_refs:
                row.values["company_id"] = self.company_refs[row.company_ref]
                row.company_by_key = True
            elif not row.company_by_key:
                ref_header = next(h for _, h, t in self.columns if t == "company_ref")
                row.errors.append((ref_header, f"no company with the id '{row.company_ref}' "
                                               f"was imported from {self.system or 'this source'}"))
        if row.company_by_key:  # a stable key wins over the company's name
            name_headers = {h for _, h, t in self.columns if t == "company"}
            row.errors = [e for e in row.errors if e[0] not in name_headers]
        if row.other_kind:  # not imported: what its cells would mean here does not matter
            row.errors = []
            return row
        if not row.values.get("name"):
            name_header = next((h for _, h, t in self.columns if t == "name"), "name")
            row.errors.append((name_header, "a name is required"))
        row.values.setdefault("owner_id", self.actor.user_id)
        self.check_owner(row)
        self.check_required_custom(row)
        return row

    def check_owner(self, row: ParsedRow) -> None:
        """The importer may write contacts with this owner (record rules)."""
        if not self.scope.allows(row.values.get("owner_id"), None):
            owner_header = next((h for _, h, t in self.columns if t == "owner"), "owner")
            row.errors.append((owner_header, f"you may not import contacts owned by someone "
                                             f"else (your scope: {self.scope.name})"))

    def reparse_custom(self, row: ParsedRow) -> None:
        """Custom values of a stored row, parsed with the fields as they are now."""
        for key, text in row.custom_text.items():
            f = self.custom.get(key)
            header = next((h for _, h, t in self.columns if t == CUSTOM_PREFIX + key), key)
            if f is None:
                row.errors.append((header, f"the custom field '{key}' no longer exists"))
                continue
            try:
                row.custom[key] = parse_custom(f, text)
            except ContactFieldError as exc:
                row.errors.append((header, exc.message))
        self.check_required_custom(row)

    def check_required_custom(self, row: ParsedRow) -> None:
        for key, f in self.custom.items():
            if f.required and CUSTOM_PREFIX + key not in {t for _, _, t in self.columns}:
                continue  # the mapping check refuses this before any row is read
            if f.required and row.custom.get(key) in (None, ""):
                header = next((h for _, h, t in self.columns if t == CUSTOM_PREFIX + key), key)
                row.errors.append((header, f"{f.label} is required"))

    def _apply(self, row: ParsedRow, header: str, target: str, text: str) -> None:
        if target.startswith(CUSTOM_PREFIX):
            if text:
                f = self.custom[target[len(CUSTOM_PREFIX):]]
                row.custom_text[f.key] = text
                row.custom[f.key] = parse_custom(f, text)
            return
        if not text:
            return
        if target in TEXT_LIMITS:
            limit = TEXT_LIMITS[target]
            if limit and len(text) > limit:
                raise ContactFieldError(target, f"longer than {limit} characters")
            row.values[target] = text
        elif target == "phones":
            for item in split_list(text):
                kind, value = with_kind(item, phone_kind(header))
                row.phones.append((kind, value, normalise_phone(value, field=header)))
        elif target == "emails":
            for item in split_list(text):
                kind, value = with_kind(item, "work")
                row.emails.append((kind, value, normalise_email(value, field=header)))
        elif target in ("first_name", "last_name"):
            row.values[target] = text
        elif target == "company_tax_id":
            ids = self.company_tax_ids.get(normalise_tax_id(text, field=header), [])
            if not ids:
                raise ContactFieldError(target, f"no company with the tax id '{text}' among "
                                                f"the ones you can see")
            if len(ids) > 1:
                raise ContactFieldError(target, f"{len(ids)} companies have the tax id '{text}'")
            row.values["company_id"] = ids[0]
            row.company_by_key = True
        elif target == "is_company":
            row.other_kind = (text.strip().casefold() in IS_TRUE) != (self.kind == COMPANY)
        elif target == "external_id":
            row.external_id = text[:255]
        elif target == "company_ref":
            row.company_ref = text
        elif target == "tax_id":
            row.values["tax_id"] = text
            row.values["tax_id_normalised"] = normalise_tax_id(text, field=header)
        elif target == "country_code":
            code = COUNTRY_NAMES.get(re.sub(r"\s+", "", text.casefold()), text.upper())
            if not re.fullmatch(r"[A-Z]{2}", code):
                raise ContactFieldError(target, f"'{text}' is not a two-letter country code (CN, US...)")
            row.values["country_code"] = code
        elif target == "tier":
            tier_id = self.tiers.get(text.casefold())
            if tier_id is None:
                raise ContactFieldError(target, f"no tier named '{text}'")
            row.values["tier_id"] = tier_id
        elif target == "tags":
            for tag in split_list(text):
                if len(tag) > TAG_MAX:
                    raise ContactFieldError(target, f"tag '{tag[:20]}...' is longer than {TAG_MAX} characters")
                if tag not in row.tags:
                    row.tags.append(tag)
        elif target == "owner":
            uid = self.users.get(text.casefold())
            if uid is None:
                raise ContactFieldError(target, f"no user '{text}' (give a user name or e-mail)")
            row.values["owner_id"] = uid
            row.owner_given = True
        elif target == "company":
            ids = self.companies.get(text, [])
            if not ids:
                raise ContactFieldError(target, f"no company named '{text}' among the ones you can see")
            if len(ids) > 1:
                raise ContactFieldError(target, f"{len(ids)} companies are named '{text}'")
            if not row.company_by_key:
                row.values["company_id"] = ids[0]

