{"name": "alpha_beta_glue", "version": "1.0.0", "summary": "Graph test: glue", "depends": ["alpha", "beta"], "auto_install": True}
