"""The integration layer: the hub (jobs, bindings, backends, dispatch) and the
protocol clients that speak neutral payloads. Imports only from core."""
