{
    "name": "sales",
    "version": "1.2.2",
    "summary": "Sales (销售管理): pipeline, activities, assignment, quotations and orders",
    "category": "Sales",
    "depends": ["contacts"],
    "auto_install": False,
    "application": True,
    "external_dependencies": {"python": [], "bin": []},
}
