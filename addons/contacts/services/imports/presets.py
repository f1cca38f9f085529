"""Mapping presets for the contact exports of the CRMs people move from,
chosen automatically when a file's headers include a preset's signature.

Each preset names the source system its id column belongs to (so a second
import of the same export finds its contacts again) and maps its headers,
compared normalised (mapping.normalise_header), to contact fields. Headers a
preset does not name are suggested from the usual synonyms (mapping.py).

Odoo exports companies and people in one file: its `is_company` column makes
the rows of the other kind skipped, so the same file is imported once as
companies and once as people (linked by `parent_id/id`).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Preset:
    name: str
    system: str  # the source system of the external ids
    kinds: tuple[str, ...]
    signature: frozenset  # normalised headers that must all be present
    columns: dict = field(default_factory=dict)  # normalised header -> field (None: leave out)


_ODOO_COMMON = {
    "id": "external_id", "externalid": "external_id", "name": "name", "email": "emails",
    "phone": "phones", "mobile": "phones", "street": "street", "street2": None,
    "city": "city", "stateid": "province", "state": "province", "zip": "postal_code",
    "countryid": "country_code", "country": "country_code", "website": "website",
    "vat": "tax_id", "taxid": "tax_id", "categoryid": "tags", "tags": "tags",
    "userid": "owner", "salesperson": "owner", "comment": "notes", "notes": "notes",
    "iscompany": "is_company", "isacompany": "is_company", "industryid": "industry", "industry": "industry",
    "function": "job_title", "jobposition": "job_title",
    "parentid": "company", "relatedcompany": "company", "parentidid": "company_ref",
    "relatedcompanyexternalid": "company_ref", "companyname": None,
}
_ZOHO_COMPANY = {
    "recordid": "external_id", "accountname": "name", "accountowner": "owner",
    "phone": "phones", "website": "website", "industry": "industry",
    "billingstreet": "street", "billingcity": "city", "billingstate": "province",
    "billingcode": "postal_code", "billingcountry": "country_code", "description": "notes",
    "tag": "tags", "email": "emails",
}
_ZOHO_PERSON = {
    "recordid": "external_id", "contactowner": "owner", "leadsource": "source",
    "firstname": "first_name", "lastname": "last_name", "fullname": None,
    "accountname": "company", "accountnameid": "company_ref", "email": "emails",
    "title": "job_title", "phone": "phones", "mobile": "phones",
    "mailingstreet": "street", "mailingcity": "city", "mailingstate": "province",
    "mailingzip": "postal_code", "mailingcountry": "country_code", "description": "notes",
    "tag": "tags",
}
_CHINESE_COMPANY = {"公司名称": "name", "联系人": None, "手机": "phones", "邮箱": "emails",
                    "统一社会信用代码": "tax_id"}
_CHINESE_PERSON = {"联系人": "name", "公司名称": "company", "手机": "phones", "邮箱": "emails",
                   "统一社会信用代码": "company_tax_id"}

PRESETS = (
    Preset("Odoo contacts (import-compatible)", "odoo", ("company", "person"),
           frozenset({"id", "name", "street2"}), _ODOO_COMMON),
    Preset("Odoo contacts", "odoo", ("company", "person"),
           frozenset({"externalid", "name", "street2"}), _ODOO_COMMON),
    Preset("Zoho CRM accounts", "zoho", ("company",),
           frozenset({"recordid", "accountname", "accountowner"}), _ZOHO_COMPANY),
    Preset("Zoho CRM contacts", "zoho", ("person",),
           frozenset({"recordid", "firstname", "lastname"}), _ZOHO_PERSON),
    Preset("中文 CRM 客户", "cn-crm", ("company",),
           frozenset({"公司名称", "联系人", "手机", "统一社会信用代码"}), _CHINESE_COMPANY),
    Preset("中文 CRM 联系人", "cn-crm", ("person",),
           frozenset({"公司名称", "联系人", "手机", "统一社会信用代码"}), _CHINESE_PERSON),
)


def matching_preset(kind: str, headers: list[str]) -> Preset | None:
    """The first preset for `kind` whose signature the (normalised) headers include."""
    present = set(headers)
    return next((p for p in PRESETS if kind in p.kinds and p.signature <= present), None)


def preset_mapping(preset: Preset, headers: list[str]) -> list[str | None | bool]:
    """A field per (normalised) header from the preset; False where it names none."""
    return [preset.columns.get(h, False) for h in headers]
