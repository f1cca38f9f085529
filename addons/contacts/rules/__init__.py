"""Pure rules of the contacts addon: normalisation and validation of what users
type, no session and no models. Models import these (validators), services
too; a rule never imports a model or a service. The one outside value a rule
may read is a deployment setting (settings.configured())."""
