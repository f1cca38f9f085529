{
    "name": "example_contact_links",
    "version": "1.0.0",
    "summary": "Visits that point at contacts: proves a merge moves other addons' references",
    "category": "Examples",
    "depends": ["contacts"],
    "application": False,
}
