"""Security base: roles and access, record rules, audit, CSRF, login guard, secrets."""
