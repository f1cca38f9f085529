"""Whole-instance backups and restores (`crossdock backup`, `crossdock restore`):
the file format (envelope), each database's snapshot and restore (sqlite_file,
postgres_dump), the schema check (schema_state), scheduling and retention."""
