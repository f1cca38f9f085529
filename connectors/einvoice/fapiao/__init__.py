"""China's fully digital fapiao (数电发票) through a provider, protocol level.

`fapiao.py` is the provider-neutral model (request, red-letter correction,
normalised result) and the `FapiaoProvider` contract; `fapiao_json.py` keeps
a request as JSON; `request_checks.py` refuses what the tax bureau would
refuse before anything is sent; one provider speaks it: the Nuonuo open
platform (`nuonuo_wire.py` transport and signing, `nuonuo_token.py` the
app's access token, `nuonuo_order.py` the bodies, `nuonuo_red_form.py`
the red-letter form's state, `nuonuo.py` the calls,
`backend.py` the hub backend of kind `nuonuo`). The einvoicing addon's
`fapiao` channel sends through it.
An issued fapiao's PDF, OFD and XML: `documents.py` fetches them from the
result's links, `document_checks.py` says whether each is what it must be.
"""
