{
    "name": "example_notes",
    "version": "1.0.0",
    "summary": "Notes with an owner: the tests' example addon",
    "category": "Examples",
    "depends": [],
    "application": True,
}
