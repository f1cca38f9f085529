{
    "name": "visits",
    "version": "1.0.0",
    "summary": "Visits to companies: two fields, a panel and a list column on contacts' "
               "Company screens (extending another addon's model and screens)",
    "category": "Examples",
    "depends": ["contacts"],
    "application": False,
}
