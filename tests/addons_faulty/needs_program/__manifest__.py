{"name": "needs_program", "version": "1.0.0", "external_dependencies": {"bin": ["crossdock-no-such-program"], "python": ["no_such_python_module_xyz"]}}
