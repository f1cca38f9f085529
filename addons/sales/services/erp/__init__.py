"""Confirmed orders to the ERP, through the integration hub: the payloads
(customer_payload, order_payload), the push and cancel handlers (push,
cancel), what people see on an order (status) and resending (resend).
`services/erp_sync.py` is the entry the state services and the addon call."""
