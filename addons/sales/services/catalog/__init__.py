"""Products, prices and currencies: pricing, exchange rates, the base currency."""
