{"name": "shelf", "version": "2.0.0", "summary": "Rolling upgrade test, release 2"}
