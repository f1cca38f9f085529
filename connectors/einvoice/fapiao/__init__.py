"""China's fully digital fapiao (数电发票) through a provider, protocol level.

`fapiao.py` is the provider-neutral model (request, red-letter correction,
normalised result) and the `FapiaoProvider` contract; `request_checks.py`
refuses what the tax bureau would refuse before anything is sent; one
provider speaks it: the Nuonuo open platform (`nuonuo_wire.py` transport and
signing, `nuonuo_order.py` the bodies, `nuonuo.py` the calls). No addon
uses it yet.
"""
