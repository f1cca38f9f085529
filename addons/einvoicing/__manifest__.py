{
    "name": "einvoicing",
    "version": "1.1.0",
    "summary": "E-invoicing (电子发票): issued invoices as EN 16931 UBL and Factur-X, validated by the official rules",
    "category": "Invoicing",
    "depends": ["invoicing_link"],
    "auto_install": False,
    "application": False,
    "external_dependencies": {"python": ["saxonche", "fpdf", "facturx"], "bin": []},
}
