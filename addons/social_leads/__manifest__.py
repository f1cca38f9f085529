{
    "name": "social_leads",
    "version": "1.0.0",
    "summary": "Social leads: WeChat, WeCom, Meta and LinkedIn lead ads and web forms into the pipeline",
    "category": "Sales",
    "depends": ["contacts", "sales"],
    "auto_install": False,
    "application": True,
    "external_dependencies": {"python": [], "bin": []},
}
