{"name": "bad_migration", "version": "1.0.0", "summary": "Its migration fails halfway"}
