"""Example addon used by the tests: a model with foreign keys to companies and
people that the contacts addon knows nothing about (a merge must move them)."""


def register(addon):
    pass
