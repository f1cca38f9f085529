{"name": "beta", "version": "1.0.0", "summary": "Graph test: another base"}
