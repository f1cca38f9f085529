{
    "name": "example_tickets",
    "version": "1.0.0",
    "summary": "Support tickets with a team and watchers: the tests' example of expression record rules",
    "category": "Examples",
    "depends": [],
    "application": True,
}
