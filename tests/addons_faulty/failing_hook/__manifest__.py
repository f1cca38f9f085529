{"name": "failing_hook", "version": "1.0.0", "summary": "Its post_install hook fails"}
