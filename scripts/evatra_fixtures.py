"""Evatra ublDto fixtures for pintae (see convert-fixtures.py).

The valid ones are the project's Taxstar fixtures re-expressed as Evatra
requests (UBL XML -> ublDto JSON with Value wrappers), converted first with
`pintae convert --from taxstar` into OUT (argument); the oracle decides
whether they are valid, not this script.
"""
import copy, json, os, subprocess, xml.etree.ElementTree as ET

MANY = {"Note", "PartyName", "PartyIdentification", "PartyTaxScheme", "PartyLegalEntity", "Description",
        "ClassifiedTaxCategory", "TaxTotal", "TaxSubtotal", "PaymentMeans", "PaymentTerms", "AllowanceCharge",
        "InvoiceLine", "CreditNoteLine", "Delivery", "AdditionalDocumentReference", "BillingReference",
        "CommodityClassification", "AdditionalItemIdentification", "DiscrepancyResponse", "InvoicePeriod",
        "AllowanceChargeReason", "TaxExemptionReason", "DocumentDescription", "AddressLine"}

def to_dto(e, numbers=False):
    kids = list(e)
    if not kids:
        v = {"Value": e.text or ""}
        if numbers and e.tag.endswith(("Amount", "Quantity", "Percent")):
            try:
                v["Value"] = json.loads(e.text)
            except Exception:
                pass
        v.update(e.attrib)
        return v
    out = {}
    for k in kids:
        name = k.tag.split("}")[1]
        val = to_dto(k, numbers)
        if name in MANY:
            out.setdefault(name, []).append(val)
        else:
            out[name] = val
    return out

def request(dto, bare=False):
    d = {"Type": "UAE_PINT", "Format": "DETAILED_INVOICE", "ProfileType": "EN16931",
         "CompanyId": "6f1d2c3b-0a9e-4b8f-9c7d-5e4f3a2b1c0d", "IsPeppolParticipant": True,
         "PeppolParticipantId": "", "ExternalInvoiceId": "", **dto}
    if bare:
        return d
    return {"apiKey": "test-key-not-real", "businessType": "B2B", "receiverEmails": ["ap@example.test"],
            "mailTemplateId": None, "ublDto": d}

def main(root, write, expect):
    xml_dir = os.environ.get("PINTAE_TAXSTAR_XML")
    if not xml_dir:
        print("set PINTAE_TAXSTAR_XML to the directory of converted Taxstar fixtures to (re)write Evatra fixtures")
        return
    files = sorted(f for f in os.listdir(xml_dir) if f.endswith(".xml"))
    valid = os.path.join(root, "evatra/valid")
    for i, f in enumerate(files[:24]):
        dto = to_dto(ET.parse(os.path.join(xml_dir, f)).getroot(), numbers=(i % 3 == 0))
        write(os.path.join(valid, f[:-4] + ".json"), request(dto, bare=(i % 4 == 1)))
    base = to_dto(ET.parse(os.path.join(xml_dir, files[0])).getroot())
    inv = os.path.join(root, "evatra/invalid")
    def mk(name, mutate, exp):
        d = copy.deepcopy(base)
        mutate(d)
        write(os.path.join(inv, name + ".json"), request(d))
        write(os.path.join(inv, name + ".expected"), exp)
    sup = lambda d: d["AccountingSupplierParty"]["Party"]
    mk("missing-city-and-emirate", lambda d: [sup(d)["PostalAddress"].pop("CityName"), sup(d)["PostalAddress"].pop("CountrySubentity")],
       [expect(status=200, failed=[("ibr-143-ae", "ublDto.AccountingSupplierParty.Party.PostalAddress.CityName")])])
    mk("amount-not-a-number", lambda d: d["LegalMonetaryTotal"]["PayableAmount"].update(Value="twelve"),
       [expect(errors=["ublDto.LegalMonetaryTotal.PayableAmount"])])
    mk("amount-without-currency", lambda d: d["LegalMonetaryTotal"]["PayableAmount"].pop("currencyID"),
       [expect(errors=["ublDto.LegalMonetaryTotal.PayableAmount"])])
    mk("bad-issue-date", lambda d: d["IssueDate"].update(Value="2026-13-01"), [expect(errors=["ublDto.IssueDate"])])
    mk("wrong-shape", lambda d: d.update(AccountingSupplierParty="Falcon Bay"), [expect(errors=["ublDto.AccountingSupplierParty"])])
    mk("missing-iban", lambda d: d["PaymentMeans"][0].pop("PayeeFinancialAccount"),
       [expect(status=200, failed=[("ibr-192-ae", "ublDto.PaymentMeans[0].PayeeFinancialAccount.ID")])])
    mk("unknown-keys-still-converted", lambda d: [d.update(Colour={"Value": "blue"}), sup(d).update(Nickname={"Value": "FB"})],
       [expect(status=200)])
    mk("control-character", lambda d: sup(d)["PartyName"][0]["Name"].update(Value="Falcon\bBay IT"),
       [expect(errors=["ublDto.AccountingSupplierParty.Party.PartyName[0].Name.Value"])])
    mk("empty-values-omitted", lambda d: [d.update(BuyerReference={"Value": ""}, Note=[{"Value": ""}], OrderReference={})],
       [expect(status=200)])
    with open(os.path.join(inv, "not-json.json"), "w") as f:
        f.write('{"ublDto": {"ID": {"Value": "X-1"},\n  "IssueDate": }\n')
    write(os.path.join(inv, "not-json.expected"), [expect(errors=["$"])])
