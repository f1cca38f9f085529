"""Contacts search: the index kept in step with writes (index), the SQL that
finds a term in it (matching), a reader's search within the record rules
(scoped), and its users: the list/REST filter (list_filter) and the company
picker (company_choices). What a term looks for: rules/search_terms.py."""
