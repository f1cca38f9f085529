"""A person's personal data (PIPL 个人信息保护法 art. 45 and 47, GDPR art. 15
and 17): exported as a ZIP (`export_personal_data.py`) and erased in one
transaction (`erase_personal_data.py`) by the providers each addon adds to
the extension point `provider.personal_data`, contacts' own among them
(`contacts_data.py`)."""
