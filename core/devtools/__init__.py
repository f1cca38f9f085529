"""Tools for addon developers: `crossdock addons new` (scaffold.py) and
`crossdock addons revision` (revision.py)."""
