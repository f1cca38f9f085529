"""Contacts import: read a file (reading), map its columns (mapping), check its
rows (rows, permissions, duplicates, custom_values), preview (preview,
parsed_rows), commit in one transaction (commit); batches.py runs the steps
before the commit, error_report.py writes the refused rows."""
