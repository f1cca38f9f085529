{
    "name": "invoicing_link",
    "version": "1.0.0",
    "summary": "Invoicing (发票): invoices, down payments and credit notes from confirmed orders",
    "category": "Invoicing",
    "depends": ["sales"],
    "auto_install": False,
    "application": True,
    "external_dependencies": {"python": [], "bin": []},
}
