"""Admin-defined fields of companies and people: their values (values), whether a
definition is valid (definition), list/REST filters on them (filters), and
removing a field with its values (removal)."""
