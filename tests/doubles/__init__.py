"""Protocol doubles: small real HTTP servers that answer like remote systems
which cannot run here (Odoo, ERPNext), plus a fault-injecting proxy.

They are test equipment, not mocks of our clients: each follows the remote's
published request/response shapes and error formats (its module docstring
says which document) so a client that passes against the double speaks the
real protocol.
"""
