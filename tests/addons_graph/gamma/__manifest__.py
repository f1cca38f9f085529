{"name": "gamma", "version": "1.0.0", "summary": "Graph test: on alpha", "depends": ["alpha"]}
