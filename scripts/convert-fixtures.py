#!/usr/bin/env python3
"""Writes pintae's converter fixtures (testdata/convert/{taxstar,evatra}/).

Each fixture is a variation of a small base invoice written for pintae.
Valid ones go to valid/, invalid ones to invalid/ with NAME.expected
beside them: the status per invoice, the field errors (JSON paths) and the
failed rules (id, JSON path) a correct converter must report -- written
here by hand, from the field rules the README documents.

Run from the repository root: python3 scripts/convert-fixtures.py
"""
import copy, json, os, shutil

ROOT = os.path.join(os.path.dirname(__file__), "..", "testdata", "convert")

def buyer(**kw):
    b = {
        "name": "Gulf Horizon Logistics FZE", "trn": "100567890100003", "country": "AE",
        "address_line1": "Warehouse 22, Jebel Ali Free Zone South", "city": "Dubai", "region": "Dubai",
        "email": "ap@gulfhorizon.example", "legal_registration_type": "TL",
        "legal_registration_id": "JAFZA-11873", "authority_name": "Jebel Ali Free Zone Authority",
    }
    b.update(kw)
    return {k: v for k, v in b.items() if v is not None}

def line(**kw):
    l = {"description": "Network audit, two sites", "quantity": 12, "unit_amount": 350,
         "tax_amount": 210, "tax_rate": 5, "unit": "HUR", "item_type": "S", "service_code": "998313"}
    l.update(kw)
    return {k: v for k, v in l.items() if v is not None}

def goods(**kw):
    l = {"description": "Dates, Khalas, premium grade", "item_name": "Khalas dates 5 kg box", "quantity": 40,
         "unit_amount": 62.5, "tax_amount": 125, "tax_rate": 5, "unit": "box", "item_type": "goods",
         "hs_code": "080410"}
    l.update(kw)
    return {k: v for k, v in l.items() if v is not None}

def inv(number, entity="ent-falcon-it", **kw):
    d = {"entity_id": entity, "invoice_number": number, "date": "2026-07-01", "due_date": "2026-07-31",
         "payment_means_code": "30", "payment_account_id": "AE120260001015555512345",
         "buyer": buyer(), "line_items": [line()]}
    d.update(kw)
    return {k: v for k, v in d.items() if v is not None}

TAXSTAR_VALID = {
    "standard-consulting": inv("FB-2026-0001"),
    "defaults-only": {"entity_id": "ent-falcon-it", "invoice_number": "FB-2026-0002", "date": "2026-07-02",
                      "due_date": "2026-08-01",
                      "payment_account_id": "AE120260001015555512345",
                      "buyer": buyer(), "line_items": [{"description": "Helpdesk retainer, July", "quantity": 1,
                                                        "unit_amount": 1800, "tax_amount": 90, "item_type": "S",
                                                        "service_code": "998316"}]},
    "goods-several-lines": inv("OD-1001", "ent-oasis-dates", payment_account_id="AE070331234567890123456",
                               line_items=[goods(), goods(description="Dates, Medjool", item_name="Medjool dates 1 kg",
                                                          quantity=100, unit_amount=48, tax_amount=240, unit="kg",
                                                          hs_code="080410"),
                                           goods(description="Date syrup 400 g", item_name=None, quantity=24,
                                                 unit_amount=14.75, tax_amount=17.7, unit="pcs", hs_code="170290")]),
    "typical-five-lines": inv("FB-2026-0500", line_items=[
        line(),
        line(description="Firewall licence renewal, 12 months", quantity=3, unit_amount=1240, tax_amount=186,
             unit="EA", service_code="998316"),
        goods(description="Managed switch, 24 ports", item_name="Switch 24p", quantity=4, unit_amount=2150.5,
              tax_amount=430.1, unit="EA", hs_code="851762"),
        goods(description="Patch cable, Cat6, 2 m", item_name="Cat6 cable 2 m", quantity=150, unit_amount=7.25,
              tax_amount=54.38, unit="pcs", hs_code="854442"),
        line(description="On-site installation", quantity=16, unit_amount=275, discount_percent=5, tax_amount=209,
             service_code="998313"),
    ]),
    "line-discount": inv("FB-2026-0003", line_items=[line(discount_percent=10, tax_amount=189),
                                                     goods(quantity=10, unit_amount=99.9, discount_percent=2.5,
                                                           tax_amount=48.70, unit="EA")]),
    "totals-given": inv("FB-2026-0004", sub_total=4200, total_tax=210, total=4410),
    "string-numbers": inv("FB-2026-0005", line_items=[line(quantity="12", unit_amount="350.00", tax_amount="210.00")]),
    "usd-exchange-rate": inv("FB-2026-0006", currency="USD", exchange_rate=3.6725,
                              line_items=[line(unit_amount=95.5, tax_amount=57.3)]),
    "eur-exchange-rate": inv("FB-2026-0007", currency="EUR", exchange_rate=4.012345,
                              line_items=[goods(unit_amount=15, tax_amount=30)]),
    "pay-cash": inv("FB-2026-0010", payment_means_code="10", payment_account_id=None),
    "pay-cheque": inv("FB-2026-0011", payment_means_code="20", payment_account_id=None),
    "pay-bank-card": inv("FB-2026-0012", payment_means_code="48", payment_account_id=None,
                         pint_ae={"card_number": "5413", "card_network": "MasterCard"}),
    "pay-direct-debit": inv("FB-2026-0013", payment_means_code="49", payment_account_id=None,
                            pint_ae={"mandate_reference": "DD-MANDATE-0042"}),
    "pay-legacy-label": inv("FB-2026-0014", payment_means_code=None, payment_method="Credit Transfer"),
    "pay-iban-from-entity": inv("FB-2026-0015", payment_account_id=None),
    "seller-passport": inv("NR-0001", "ent-nadia-consult", payment_account_id=None),
    "seller-emirates-id": inv("MK-0001", "ent-marina-kitchens", payment_account_id="AE310260001015555598765"),
    "seller-cabinet-decision": inv("GA-0001", "ent-gov-academy", payment_account_id="AE500350000000123456789"),
    "seller-tl-per-invoice": inv("FB-2026-0016", seller={"registration_type": "TL",
                                                          "issuing_authority": "Dubai Department of Economy and Tourism"}),
    "buyer-passport": inv("FB-2026-0017", buyer=buyer(legal_registration_type="PAS", legal_registration_id="Z8812345",
                                                      authority_name=None, passport_country_code="GB")),
    "buyer-emirates-id": inv("FB-2026-0018", buyer=buyer(name="Omar Al Suwaidi", legal_registration_type="EID",
                                                         legal_registration_id="784-1987-1234567-1", authority_name=None)),
    "buyer-cabinet-decision": inv("FB-2026-0019", buyer=buyer(legal_registration_type="CD",
                                                              legal_registration_id="CD-12-2019", authority_name=None)),
    "buyer-country-name": inv("FB-2026-0020", buyer=buyer(country="United Arab Emirates")),
    "buyer-abu-dhabi": inv("FB-2026-0021", buyer=buyer(city="Abu Dhabi", region="Abu Dhabi")),
    "buyer-sharjah-code": inv("FB-2026-0022", buyer=buyer(city="Sharjah", region="SHJ")),
    "buyer-ajman": inv("FB-2026-0023", buyer=buyer(city="Ajman", region="ajman")),
    "buyer-umm-al-quwain": inv("FB-2026-0024", buyer=buyer(city="Umm Al Quwain", region="Umm Al Quwain")),
    "buyer-ras-al-khaimah": inv("FB-2026-0025", buyer=buyer(city="Ras Al Khaimah", region="Ras Al Khaimah")),
    "buyer-fujairah": inv("FB-2026-0026", buyer=buyer(city="Fujairah", region="Fujairah")),
    "buyer-electronic-address": inv("FB-2026-0027", buyer=buyer(electronic_address="1005678901")),
    "zero-rated": inv("OD-1002", "ent-oasis-dates", payment_account_id="AE070331234567890123456",
                      line_items=[goods(tax_category="Z", tax_rate=0, tax_amount=0)]),
    "exempt": inv("FB-2026-0028", line_items=[line(), line(description="Residential flat rent, July", item_name="Residential lease",
                                                   quantity=1, unit_amount=9000, tax_category="E", tax_rate=0, tax_amount=0,
                                                   unit="MON", exemption_reason="Exempt: residential building lease",
                                                   exemption_reason_code="VATEX-AE-EXEMPT")]),
    "reverse-charge": inv("FB-2026-0029", line_items=[goods(tax_category="AE", tax_rate=0, tax_amount=0,
                                                           reverse_charge_type="DL8.48.3.1", gtin="06291041500213",
                                                           exemption_reason="Reverse charge",
                                                           exemption_reason_code="VATEX-AE-RC")]),
    "mixed-categories": inv("FB-2026-0030", line_items=[line(), goods(tax_category="Z", tax_rate=0, tax_amount=0),
                                                        line(description="Staff training, exempt", tax_category="E",
                                                             tax_rate=0, tax_amount=0, quantity=2, unit_amount=500,
                                                             exemption_reason="Exempt supply", exemption_reason_code="VATEX-AE-EXEMPT")]),
    "commercial-invoice": inv("FB-2026-0031", invoice_type="Commercial Invoice",
                              line_items=[line(tax_category="O", tax_rate=None, tax_amount=0,
                                               exemption_reason="Not subject to UAE VAT",
                                               exemption_reason_code="VATEX-AE-OOS")]),
    "credit-note": inv("FB-2026-CN-01", invoice_type="Credit Note", due_date=None,
                       pint_ae={"credit_note_reason": "DL8.61.1.A", "credit_note_reason_text": "Service not rendered",
                                "preceding_invoice_number": "FB-2026-0001", "preceding_invoice_date": "2026-07-01"},
                       line_items=[line(quantity=2, tax_amount=35)]),
    "credit-note-volume-discount": inv("FB-2026-CN-02", invoice_type="Credit Note",
                                       pint_ae={"credit_note_reason": "VD"},
                                       line_items=[line(description="Volume rebate Q2", quantity=1, unit_amount=500,
                                                        tax_amount=25)]),
    "exports": inv("FB-2026-0032", transaction_type_code="00000001", currency="USD", exchange_rate=3.6725,
                   buyer={"name": "Harbour Point Traders Ltd", "country": "GB", "address_line1": "14 Dockside Road",
                          "city": "Southampton", "region": "Hampshire"},
                   line_items=[goods(tax_category="Z", tax_rate=0, tax_amount=0)]),
    "deemed-supply": inv("FB-2026-0033", transaction_type_code="01000000",
                         buyer=buyer(name="Falcon Bay IT Services L.L.C. (own use)", trn="100234567800003",
                                     legal_registration_id="DED-784512",
                                     authority_name="Dubai Department of Economy and Tourism")),
    "reference-and-extension": inv("FB-2026-0034", reference="Thank you for your business.",
                                   pint_ae={"buyer_reference": "PO-88123", "purchase_order": "PO-88123",
                                            "period_start": "2026-06-01", "period_end": "2026-06-30",
                                            "delivery_date": "2026-06-30", "uuid": "5f0b6d8e-9a51-4c1e-8f7a-2d4c6b8e0a13"}),
    "bulk-three": {"invoices": [inv("FB-2026-0101"), inv("FB-2026-0102", line_items=[goods()]),
                                inv("OD-2001", "ent-oasis-dates", payment_account_id="AE070331234567890123456")]},
}

def expect(status=400, errors=(), failed=()):
    return {"status": status, "errors": list(errors), "failed": [list(f) for f in failed]}

TAXSTAR_INVALID = {
    # found by fuzzing: a control character XML cannot carry, and a TRN
    # with an invisible character inside its first ten bytes
    "control-character": (inv("FB-2026-0230", buyer=buyer(name="Gulf Horizon\bLogistics FZE")),
                          [expect(errors=["buyer.name"])]),
    # numbers each within the decimal range whose products or sums are not
    "line-too-large": (inv("FB-2026-0232", line_items=[line(quantity="1222000123423574785922076537", unit_amount=48)]),
                       [expect(errors=["line_items[0]"])]),
    "totals-too-large": (inv("FB-2026-0233", line_items=[line(quantity="100000000000000000000000000", unit_amount=100,
                                                              tax_amount="500000000000000000000000000")] * 8),
                         [expect(errors=["line_items"])]),
    "trn-with-invisible-character": (inv("FB-2026-0231", buyer=buyer(trn="100567890\ufeff100003")),
                                     [expect(errors=["buyer.trn"])]),
    "missing-iban": (inv("FB-2026-0201", "ent-oasis-dates", payment_account_id=None),
                     [expect(errors=["payment_account_id"])]),
    "tl-without-authority": (inv("FB-2026-0202", buyer=buyer(authority_name=None)),
                             [expect(errors=["buyer.authority_name"])]),
    "pas-without-country": (inv("FB-2026-0203", buyer=buyer(legal_registration_type="PAS", authority_name=None)),
                            [expect(errors=["buyer.passport_country_code"])]),
    "seller-tl-without-authority": (inv("FB-2026-0204", seller={"registration_type": "TL"}, entity="ent-oasis-dates-bare",
                                        payment_account_id="AE070331234567890123456"),
                                    [expect(errors=["seller.issuing_authority"])]),
    "seller-pas-without-country": (inv("FB-2026-0205", seller={"registration_type": "PAS"}, entity="ent-oasis-dates-bare",
                                       payment_account_id="AE070331234567890123456"),
                                   [expect(errors=["seller.passport_country"])]),
    "wrong-totals": (inv("FB-2026-0206", sub_total=4000, total_tax=210, total=4410),
                     [expect(errors=["sub_total"])]),
    "wrong-line-tax": (inv("FB-2026-0207", line_items=[line(), line(tax_amount=200)]),
                       [expect(errors=["line_items[1].tax_amount"])]),
    "wrong-line-amount": (inv("FB-2026-0208", line_items=[line(line_amount=4000)]),
                          [expect(errors=["line_items[0].line_amount"])]),
    "bad-dates": (inv("FB-2026-0209", date="2026-02-30", due_date="31/07/2026"),
                  [expect(errors=["date", "due_date"])]),
    "unknown-emirate": (inv("FB-2026-0210", buyer=buyer(region="Dubay")),
                        [expect(errors=["buyer.region"])]),
    "unknown-country": (inv("FB-2026-0211", buyer=buyer(country="Atlantis")),
                        [expect(errors=["buyer.country"])]),
    "wrong-types": (inv("FB-2026-0212", line_items=[line(quantity=True, unit_amount=[350])], buyer=buyer(name=42.5)),
                    [expect(errors=["line_items[0].quantity", "line_items[0].unit_amount"])]),
    "missing-required": ({"entity_id": "ent-falcon-it", "payment_account_id": "AE120260001015555512345",
                          "buyer": {"country": "AE"}},
                         [expect(errors=["invoice_number", "date", "buyer.name", "buyer.trn", "line_items"])]),
    "unknown-entity": (inv("XX-0001", "ent-nobody"), [expect(errors=["entity_id"])]),
    "credit-note-without-reason": (inv("FB-2026-CN-09", invoice_type="Credit Note"),
                                   [expect(errors=["pint_ae.credit_note_reason", "pint_ae.preceding_invoice_number"])]),
    "foreign-currency-without-rate": (inv("FB-2026-0213", currency="USD"), [expect(errors=["exchange_rate"])]),
    "absurd-numbers": (inv("FB-2026-0214", line_items=[line(quantity=1e300, unit_amount="12345678901234567890123456789012")]),
                       [expect(errors=["line_items[0].quantity", "line_items[0].unit_amount"])]),
    "bad-unit-and-category": (inv("FB-2026-0215", line_items=[line(unit="bushel", tax_category="X")]),
                              [expect(errors=["line_items[0].unit", "line_items[0].tax_category"])]),
    "exempt-without-reason": (inv("FB-2026-0216", line_items=[line(), line(tax_category="E", tax_rate=0, tax_amount=0)]),
                              [expect(status=200, failed=[("ibr-167-ae", "line_items[1].exemption_reason_code")])]),
    "exempt-only-tax-invoice": (inv("FB-2026-0218", line_items=[line(tax_category="E", tax_rate=0, tax_amount=0, exemption_reason_code="VATEX-AE-EXEMPT")]),
                                [expect(status=200, failed=[("ibr-151-ae", "invoice_type")])]),
    "service-without-code": (inv("FB-2026-0217", line_items=[line(service_code=None)]),
                             [expect(status=200, failed=[("ibr-185-ae", "line_items[0].service_code")])]),
    "bulk-duplicates-and-bad-items": ({"invoices": [inv("FB-2026-0301"), inv("FB-2026-0302", date="yesterday"),
                                                    inv("FB-2026-0301"), "not an invoice",
                                                    inv("FB-2026-0303")]},
                                      [expect(status=200), expect(errors=["invoices[1].date"]),
                                       expect(status=409, errors=["invoices[2].invoice_number"]),
                                       expect(errors=["invoices[3]"]), expect(status=200)]),
}

def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")

def main():
    for sub in ["taxstar/valid", "taxstar/invalid", "evatra/valid", "evatra/invalid"]:
        d = os.path.join(ROOT, sub)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    for name, body in TAXSTAR_VALID.items():
        write(os.path.join(ROOT, "taxstar/valid", name + ".json"), body)
    for name, (body, exp) in TAXSTAR_INVALID.items():
        write(os.path.join(ROOT, "taxstar/invalid", name + ".json"), body)
        write(os.path.join(ROOT, "taxstar/invalid", name + ".expected"), exp)
    import evatra_fixtures
    evatra_fixtures.main(ROOT, write, expect)

if __name__ == "__main__":
    import sys
    sys.path.insert(0, os.path.dirname(__file__))
    main()
