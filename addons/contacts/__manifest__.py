{
    "name": "contacts",
    "version": "1.3.0",
    "summary": "Customer master: companies and people (客户管理)",
    "category": "Contacts",
    "depends": [],
    "auto_install": False,
    "application": True,
    "author": "Crossdock",
    "license": "AGPL-3.0-or-later",
    "data": ["data/Tier.csv"],  # the tiers a fresh install starts with (A/B/C)
    "external_dependencies": {"python": ["phonenumbers", "email_validator", "stdnum"],
                              "bin": []},
}
