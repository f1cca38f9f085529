"""Social leads: WeChat, WeCom, Meta and LinkedIn leads into the pipeline.
(Minimal for the channels' branch: the lead engineer's register() replaces it.)"""
from . import channels


def register(addon):
    channels.register(addon)
