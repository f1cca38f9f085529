"""Confirmed orders to the ERPs, through the integration hub: the handlers
declared here (`push.ORDER_PUSH`, `cancel.ORDER_CANCEL`,
`remote_states.ORDER_STATES`), the payloads they send (order_payload,
customer_payload), what people see of an order in the ERPs (status), the
totals check and resending (totals_check, resend). `services/erp_sync.py`
is the entry the state services call and the addon registers from."""
