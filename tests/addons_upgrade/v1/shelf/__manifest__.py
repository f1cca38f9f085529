{"name": "shelf", "version": "1.0.0", "summary": "Rolling upgrade test, release 1"}
