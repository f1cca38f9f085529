{
    "name": "mail_gateway",
    "version": "1.0.0",
    "summary": "Mail through the hub (邮件网关): mails sent, retried and bounced; mailboxes polled and routed",
    "category": "Technical",
    "depends": [],
    "auto_install": False,
    "application": False,
    "external_dependencies": {"python": ["imapclient", "jinja2"], "bin": []},
}
