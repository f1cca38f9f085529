{"name": "cycle_b", "version": "1.0.0", "depends": ["cycle_a"]}
