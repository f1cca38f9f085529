"""Test addon whose post_install hook fails after its migration ran."""


def _post_install(session):
    raise RuntimeError("post_install hook failed on purpose")


def register(addon):
    addon.on("post_install", _post_install)
