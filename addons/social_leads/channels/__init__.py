"""The platform channels (WeChat Official Account, WeCom, Meta Lead Ads,
LinkedIn Lead Gen) register here: their webhook routes, hub backends and
`hub.Inbound` handlers, each of which reads a platform's event into an
`IncomingLead` and calls `services.intake.take_in`."""


def register(addon) -> None:
    """Called by the addon's register(); the platform channels declare themselves here."""
