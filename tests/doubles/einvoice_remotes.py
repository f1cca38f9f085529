"""The three e-invoice remotes the tests use, as servers to try the demo
against without any account: the Storecove access point double, the Nuonuo
double and the SdI stand-in (which calls the Crossdock instance back).

    .venv/bin/python -m tests.doubles.einvoice_remotes --crossdock http://127.0.0.1:5000

prints the `crossdock hub backend-add` commands for them and the settings the
instance needs, then serves until Ctrl-C. Every access point submission is
delivered after `--deliver-after` seconds, as a receiving side would take it.
"""
from __future__ import annotations

import argparse
import json
import time

from connectors.einvoice.sdi.endpoint import PATH
from tests.doubles.json_http import JsonHttpServer
from tests.doubles.nuonuo_double import NuonuoDouble
from tests.doubles.peppol_ap_double import StorecoveDouble
from tests.doubles.sdi_standin import CLIENT_SUBJECT, SdiStandin
from tests.einvoice_documents import ARTEFACTS
from tests.sdi_documents import SDI_ARTEFACTS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crossdock", default="http://127.0.0.1:5000",
                        help="the Crossdock instance SdI calls back")
    parser.add_argument("--deliver-after", type=float, default=5.0)
    args = parser.parse_args()
    storecove = JsonHttpServer(StorecoveDouble()).start()
    nuonuo = JsonHttpServer(NuonuoDouble(pending_seconds=3.0)).start()
    sdi = SdiStandin(SDI_ARTEFACTS, args.crossdock.rstrip("/") + PATH,
                     after_receipt=("RC", "NE")).start()
    options = json.dumps({"legal_entity_id": storecove.app.legal_entity_id})
    print(f"""export CROSSDOCK_EN16931_ARTEFACTS={ARTEFACTS.resolve()}
export CROSSDOCK_SDI_ARTEFACTS={SDI_ARTEFACTS.resolve()}
export CROSSDOCK_SDI_CLIENT_SUBJECT='{CLIENT_SUBJECT}'
crossdock hub backend-add --name storecove --kind peppol_ap --url {storecove.url}/api/v2 \\
    --secret {storecove.app.api_key} --options '{options}'
crossdock hub backend-add --name sdi --kind sdi --url {sdi.url} --secret ""
crossdock hub backend-add --name nuonuo --kind nuonuo --url {nuonuo.url}/open/v1/services \\
    --database 91310000MA1FL8XQ37 --username nn-app-key --secret nn-app-secret \\
    --options '{{"token_url": "{nuonuo.url}/accessToken"}}'
(serving until Ctrl-C)""", flush=True)
    try:
        while True:
            time.sleep(args.deliver_after)
            storecove.app.deliver()
    except KeyboardInterrupt:
        pass
    finally:
        for server in (storecove, nuonuo, sdi):
            server.stop()


if __name__ == "__main__":
    main()
