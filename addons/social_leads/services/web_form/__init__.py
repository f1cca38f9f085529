"""The embeddable web form: a page served with a signed token
(`submission.page_token`), a POST checked and stored raw (`submission.accept`),
and the hub job that turns it into a lead (`processing.WEB_FORM_INBOUND`)."""
