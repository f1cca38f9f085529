{"name": "broken_import", "version": "1.0.0", "summary": "Cannot be imported"}
