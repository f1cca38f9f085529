{"name": "alpha", "version": "1.0.0", "summary": "Graph test: a base"}
