"""Running Crossdock behind a production server (gunicorn)."""
