{"name": "cycle_a", "version": "1.0.0", "depends": ["cycle_b"]}
