"""Which column of an import file fills which contact field.

A suggestion is read from the header names, English or Chinese (名称, 手机,
邮箱, 统一社会信用代码...) and the custom fields' labels and keys, after a
preset for a known CRM's export when the headers match one (presets.py). What the
user settles on is remembered per file layout (the kind plus the normalised
header row), so the next file with the same columns comes pre-mapped.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import ContactImportMapping
from ..custom_fields.values import fields_for as custom_fields_for
from .presets import matching_preset, preset_mapping

COMPANY, PERSON = "company", "person"
KINDS = (COMPANY, PERSON)
CUSTOM_PREFIX = "custom:"
MULTI = {"phones", "emails"}  # several columns may fill these (手机 and 座机)

LABELS = {
    "external_id": _l("External ID"), "company_ref": _l("Company's external ID"),
    "company_tax_id": _l("Company's tax ID"), "first_name": _l("First name"),
    "last_name": _l("Last name"), "is_company": _l("Is a company"),
    "name": _l("Name"), "phones": _l("Phones"), "emails": _l("E-mails"),
    "tax_id": _l("Tax ID"), "company": _l("Company"), "job_title": _l("Job title"),
    "street": _l("Street"), "city": _l("City"), "province": _l("Province/State"),
    "postal_code": _l("Postal code"), "country_code": _l("Country code"),
    "website": _l("Website"), "industry": _l("Industry"), "source": _l("Source"),
    "tier": _l("Tier"), "tags": _l("Tags"), "owner": _l("Owner"), "notes": _l("Notes"),
}

_SHARED = {
    "is_company": ["iscompany", "isacompany", "是否公司"],
    "external_id": ["crossdockid", "externalid", "id", "外部id", "外部编号", "recordid"],
    "phones": ["phone", "phones", "mobile", "mobilephone", "cell", "cellphone", "tel",
               "telephone", "phonenumber", "手机", "手机号", "手机号码", "电话", "联系电话",
               "电话号码", "座机", "移动电话", "办公电话"],
    "emails": ["email", "emails", "mail", "emailaddress", "邮箱", "电子邮件", "电子邮箱",
               "邮件", "邮箱地址"],
    "street": ["street", "address", "streetaddress", "地址", "详细地址", "街道", "街道地址",
               "通讯地址"],
    "city": ["city", "town", "城市", "市", "所在城市"],
    "province": ["province", "state", "region", "provincestate", "省份", "省", "省州",
                 "所在省份"],
    "postal_code": ["postalcode", "postcode", "zip", "zipcode", "邮编", "邮政编码"],
    "country_code": ["country", "countrycode", "国家", "国家代码", "国家地区"],
    "website": ["website", "web", "url", "homepage", "网站", "网址", "主页", "官网"],
    "industry": ["industry", "sector", "行业", "所属行业"],
    "source": ["source", "leadsource", "来源", "客户来源", "线索来源"],
    "tier": ["tier", "level", "grade", "customertier", "等级", "客户等级", "客户级别", "级别",
             "客户分级"],
    "tags": ["tags", "tag", "labels", "label", "标签"],
    "owner": ["owner", "salesperson", "accountowner", "负责人", "销售", "所有者", "归属人",
              "客户经理"],
    "notes": ["notes", "note", "remark", "remarks", "comment", "comments", "备注", "说明"],
}
SYNONYMS = {
    COMPANY: {"name": ["name", "company", "companyname", "customer", "customername",
                       "名称", "公司名称", "客户名称", "企业名称", "公司", "客户", "单位名称"],
              "tax_id": ["taxid", "vat", "vatnumber", "vatid", "uscc", "税号", "统一社会信用代码",
                         "纳税人识别号", "信用代码"],
              **_SHARED},
    PERSON: {"name": ["name", "fullname", "contact", "contactname", "person", "姓名", "名称",
                      "联系人", "名字", "联系人姓名"],
             "company": ["company", "companyname", "organisation", "organization", "公司",
                         "公司名称", "所属公司", "单位", "客户名称"],
             "company_tax_id": ["companytaxid", "companyvat", "公司税号"],
             "first_name": ["firstname", "givenname", "名"],
             "last_name": ["lastname", "surname", "familyname", "姓"],
             "company_ref": ["crossdockcompanyid", "companyexternalid", "companyid",
                             "relatedcompanyid", "parentid"],
             "job_title": ["jobtitle", "title", "position", "role", "职位", "职务", "头衔", "岗位"],
             **_SHARED},
}
MOBILE_HEADERS = {"mobile", "mobilephone", "cell", "cellphone", "手机", "手机号", "手机号码",
                  "移动电话"}


class ImportMappingError(ValueError):
    """The chosen mapping cannot import this file; the message says what is missing."""


def normalise_header(header: str) -> str:
    """Header text as compared: lower case, no spaces, punctuation or '*' marks."""
    return re.sub(r"[\s_\-:：*/()（）.·]+", "", (header or "").lower())


def layout_hash(kind: str, headers: list[str]) -> str:
    key = kind + "\x1f" + "\x1f".join(normalise_header(h) for h in headers)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Target:
    key: str  # "name", "phones", "custom:<key>"
    label: str
    required: bool = False


def targets_for(session: Session, kind: str) -> list[Target]:
    """Every field a column may fill for this kind, custom fields last."""
    keys = [k for k in LABELS if k in SYNONYMS[kind]]
    targets = [Target(k, str(LABELS[k]), k == "name") for k in keys]
    for f in custom_fields_for(session, kind):
        targets.append(Target(CUSTOM_PREFIX + f.key, f.label, bool(f.required)))
    return targets


def suggest(session: Session, kind: str, headers: list[str]) -> list[str | None]:
    """A target per column from the remembered layout, else from the header names."""
    valid = {t.key for t in targets_for(session, kind)}
    remembered = session.scalar(select(ContactImportMapping).where(
        ContactImportMapping.kind == kind,
        ContactImportMapping.layout_hash == layout_hash(kind, headers)))
    if remembered is not None and len(remembered.mapping) == len(headers):
        return [t if t in valid else None for t in remembered.mapping]
    normalised = [normalise_header(h) for h in headers]
    preset = matching_preset(kind, normalised)
    from_preset = preset_mapping(preset, normalised) if preset else [False] * len(headers)
    lookup = {}
    for target, names in SYNONYMS[kind].items():
        for n in names:
            lookup.setdefault(n, target)
    for f in custom_fields_for(session, kind):
        for n in (normalise_header(f.label), normalise_header(f.key)):
            lookup.setdefault(n, CUSTOM_PREFIX + f.key)
    mapping, used = [], {t for t in from_preset if t and t not in MULTI}
    for header, preset_target in zip(headers, from_preset):
        if preset_target is not False:
            mapping.append(preset_target if preset_target in valid else None)
            continue
        target = lookup.get(normalise_header(header))
        if target is None or (target in used and target not in MULTI):
            mapping.append(None)
            continue
        used.add(target)
        mapping.append(target)
    return mapping


def suggest_with_system(session: Session, kind: str,
                        headers: list[str]) -> tuple[list[str | None], str | None]:
    """suggest(), and the source system of the preset the headers match (or None)."""
    preset = matching_preset(kind, [normalise_header(h) for h in headers])
    mapping = suggest(session, kind, headers)
    return mapping, preset.system if preset else None


def check(session: Session, kind: str, headers: list[str], mapping: list[str | None]) -> None:
    """Refuse a mapping that names unknown fields, fills one field twice or
    leaves a required field without a column."""
    if len(mapping) != len(headers):
        raise ImportMappingError("the mapping does not match the file's columns")
    targets = {t.key: t for t in targets_for(session, kind)}
    seen: dict[str, str] = {}
    for header, target in zip(headers, mapping):
        if not target:
            continue
        if target not in targets:
            raise ImportMappingError(f"column '{header}': unknown field '{target}'")
        if target in seen and target not in MULTI:
            raise ImportMappingError(f"columns '{seen[target]}' and '{header}' both fill "
                                     f"'{targets[target].label}': choose one")
        seen.setdefault(target, header)
    named = "name" in seen or "first_name" in seen or "last_name" in seen
    missing = [t.label for t in targets.values() if t.required and t.key not in seen
               and not (t.key == "name" and named)]
    if missing:
        raise ImportMappingError("required column missing: " + ", ".join(missing)
                                 + " (map a column of the file to it)")


def remember(session: Session, kind: str, headers: list[str], mapping: list[str | None]) -> None:
    """Store the mapping for files with this layout (shared: one layout, one mapping)."""
    digest = layout_hash(kind, headers)
    row = session.scalar(select(ContactImportMapping).where(
        ContactImportMapping.kind == kind, ContactImportMapping.layout_hash == digest))
    if row is None:
        row = ContactImportMapping(kind=kind, layout_hash=digest)
        session.add(row)
    row.headers = list(headers)
    row.mapping = list(mapping)


def phone_kind(header: str) -> str:
    """The kind a phone from this column gets: 手机/mobile columns hold mobiles."""
    return "mobile" if normalise_header(header) in MOBILE_HEADERS else "work"
