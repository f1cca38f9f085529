{"name": "missing_dep", "version": "1.0.0", "depends": ["not_on_disk"]}
