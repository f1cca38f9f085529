{
    "name": "contacts_mail",
    "version": "1.0.0",
    "summary": "Mail of contacts (联系人邮件): a person's stored mails in their personal data export and erasure",
    "category": "Technical",
    "depends": ["contacts", "mail_gateway"],
    "auto_install": True,
    "application": False,
    "external_dependencies": {"python": [], "bin": []},
}
