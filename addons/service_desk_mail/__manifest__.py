{
    "name": "service_desk_mail",
    "version": "1.0.0",
    "summary": "Service desk by mail (工单邮件): support@ opens and answers tickets, replies and ratings mailed",
    "category": "Service desk",
    "depends": ["service_desk", "mail_gateway"],
    "auto_install": True,
    "application": False,
    "external_dependencies": {"python": [], "bin": []},
}
