"""A Peppol access point's submission API, protocol level: Storecove's
(`POST /api/v2/document_submissions`, evidence by submission guid).

`client.py` is the wire (auth, JSON, errors classified once), `submission.py`
the request body from our file and its routing (pure), `backend.py` what the
hub builds for a backend of kind `peppol_ap`. No addon imports.
"""
