raise ImportError("this addon needs a module that is not there")
