//! The document root and its lines, whose element order depends on the
//! kind (`Invoice` or `CreditNote`).

use serde_json::Value;

use crate::doc::*;
use crate::element::{in_ns, json_object, skip, Field, JsonCx, ReadCx, SourceMap, XmlOut};
use crate::value::{Amount, Code, CurrencyCode, Date, Identifier, Quantity, Src, Text};
use crate::{ns, DocumentKind, ModelError};

/// One invoice line or credit note line.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Line {
    /// `cbc:ID` (IBT-126).
    pub id: Option<Identifier>,
    /// `cbc:Note` (IBT-127).
    pub note: Vec<Text>,
    /// `cbc:InvoicedQuantity` / `cbc:CreditedQuantity` (IBT-129, IBT-130).
    pub quantity: Option<Quantity>,
    /// `cbc:LineExtensionAmount` (IBT-131).
    pub line_extension_amount: Option<Amount>,
    /// `cbc:AccountingCost` (IBT-133).
    pub accounting_cost: Option<Text>,
    /// `cac:InvoicePeriod` (IBG-26).
    pub invoice_period: Vec<Period>,
    /// `cac:OrderLineReference` (IBT-132).
    pub order_line_reference: Vec<OrderLineReference>,
    /// `cac:DiscrepancyResponse` (credit note lines only).
    pub discrepancy_response: Vec<Response>,
    /// `cac:DocumentReference` (IBT-128).
    pub document_reference: Vec<DocumentReference>,
    /// `cac:AllowanceCharge` (IBG-27, IBG-28).
    pub allowance_charge: Vec<AllowanceCharge>,
    /// `cac:TaxTotal` (the line's VAT).
    pub tax_total: Vec<TaxTotal>,
    /// `cac:Item` (IBG-31).
    pub item: Option<Item>,
    /// `cac:Price` (IBG-29).
    pub price: Option<Price>,
    /// `cac:ItemPriceExtension` (BTAE-10, BTAE-08).
    pub item_price_extension: Option<PriceExtension>,
    /// Where it came from.
    pub src: Src,
}

macro_rules! q {
    ($p:ident $n:ident) => {
        concat!(stringify!($p), ":", stringify!($n))
    };
}

impl Line {
    /// The element name of a line in a document of `kind`.
    pub fn element_name(kind: DocumentKind) -> &'static str {
        match kind {
            DocumentKind::Invoice => "cac:InvoiceLine",
            DocumentKind::CreditNote => "cac:CreditNoteLine",
        }
    }

    fn write(&self, out: &mut XmlOut, kind: DocumentKind) {
        let name = Line::element_name(kind);
        let cn = kind == DocumentKind::CreditNote;
        out.start(name, &[], &self.src);
        self.id.write_field(out, q!(cbc ID));
        self.note.write_field(out, q!(cbc Note));
        let qty = if cn {
            q!(cbc CreditedQuantity)
        } else {
            q!(cbc InvoicedQuantity)
        };
        self.quantity.write_field(out, qty);
        self.line_extension_amount.write_field(out, q!(cbc LineExtensionAmount));
        self.accounting_cost.write_field(out, q!(cbc AccountingCost));
        self.invoice_period.write_field(out, q!(cac InvoicePeriod));
        self.order_line_reference.write_field(out, q!(cac OrderLineReference));
        if cn {
            self.discrepancy_response.write_field(out, q!(cac DiscrepancyResponse));
        }
        self.document_reference.write_field(out, q!(cac DocumentReference));
        if cn {
            self.tax_total.write_field(out, q!(cac TaxTotal));
            self.allowance_charge.write_field(out, q!(cac AllowanceCharge));
        } else {
            self.allowance_charge.write_field(out, q!(cac AllowanceCharge));
            self.tax_total.write_field(out, q!(cac TaxTotal));
        }
        self.item.write_field(out, q!(cac Item));
        self.price.write_field(out, q!(cac Price));
        self.item_price_extension.write_field(out, q!(cac ItemPriceExtension));
        out.end(name);
    }

    /// The field an element of the line fills, and the element's prefix:
    /// one table for the XML and the JSON reader.
    fn slot(&mut self, name: &str) -> Option<(&'static str, &mut dyn Field)> {
        Some(match name {
            "ID" => ("cbc", &mut self.id),
            "Note" => ("cbc", &mut self.note),
            "InvoicedQuantity" | "CreditedQuantity" => ("cbc", &mut self.quantity),
            "LineExtensionAmount" => ("cbc", &mut self.line_extension_amount),
            "AccountingCost" => ("cbc", &mut self.accounting_cost),
            "InvoicePeriod" => ("cac", &mut self.invoice_period),
            "OrderLineReference" => ("cac", &mut self.order_line_reference),
            "DiscrepancyResponse" => ("cac", &mut self.discrepancy_response),
            "DocumentReference" => ("cac", &mut self.document_reference),
            "AllowanceCharge" => ("cac", &mut self.allowance_charge),
            "TaxTotal" => ("cac", &mut self.tax_total),
            "Item" => ("cac", &mut self.item),
            "Price" => ("cac", &mut self.price),
            "ItemPriceExtension" => ("cac", &mut self.item_price_extension),
            _ => return None,
        })
    }

    fn read(node: roxmltree::Node<'_, '_>, cx: &mut ReadCx) -> Result<Line, ModelError> {
        let mut s = Line::default();
        for c in node.children().filter(|n| n.is_element()) {
            match s.slot(c.tag_name().name()) {
                Some((prefix, f)) if in_ns(c, prefix) => f.read_child(c, cx)?,
                _ => skip(c, cx),
            }
        }
        Ok(s)
    }

    fn from_json(v: &Value, path: &str, cx: &mut JsonCx) -> Option<Line> {
        let obj = json_object(v, path, cx)?;
        let mut s = Line::default();
        for (k, val) in obj {
            let p = format!("{path}.{k}");
            match s.slot(k) {
                Some((_, f)) => f.json_field(val, &p, cx),
                None => cx.unknown(&p, val),
            }
        }
        s.src.set_if_unset(path);
        Some(s)
    }
}

/// A PINT-AE invoice or credit note.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Invoice or credit note: decides the root element and element order.
    pub kind: DocumentKind,
    /// `cbc:UBLVersionID`.
    pub ubl_version_id: Option<Text>,
    /// `cbc:CustomizationID` (IBT-024).
    pub customization_id: Option<Identifier>,
    /// `cbc:ProfileID` (IBT-023).
    pub profile_id: Option<Identifier>,
    /// `cbc:ProfileExecutionID` (BTAE-02, transaction type flags).
    pub profile_execution_id: Option<Identifier>,
    /// `cbc:ID` (IBT-001).
    pub id: Option<Identifier>,
    /// `cbc:UUID`.
    pub uuid: Option<Identifier>,
    /// `cbc:IssueDate` (IBT-002).
    pub issue_date: Option<Date>,
    /// `cbc:IssueTime` (IBT-168).
    pub issue_time: Option<Text>,
    /// `cbc:DueDate` (IBT-009; invoices only, a credit note gives it in
    /// `cac:PaymentMeans/cbc:PaymentDueDate`).
    pub due_date: Option<Date>,
    /// `cbc:InvoiceTypeCode` / `cbc:CreditNoteTypeCode` (IBT-003).
    pub type_code: Option<Code>,
    /// `cbc:Note` (IBT-022).
    pub note: Vec<Text>,
    /// `cbc:TaxPointDate` (IBT-007).
    pub tax_point_date: Option<Date>,
    /// `cbc:DocumentCurrencyCode` (IBT-005).
    pub document_currency_code: Option<CurrencyCode>,
    /// `cbc:TaxCurrencyCode` (IBT-006).
    pub tax_currency_code: Option<CurrencyCode>,
    /// `cbc:AccountingCost` (IBT-019).
    pub accounting_cost: Option<Text>,
    /// `cbc:BuyerReference` (IBT-010).
    pub buyer_reference: Option<Text>,
    /// `cac:InvoicePeriod` (IBG-14).
    pub invoice_period: Vec<Period>,
    /// `cac:DiscrepancyResponse` (BTAE-03; credit notes only).
    pub discrepancy_response: Vec<Response>,
    /// `cac:OrderReference` (IBT-013, IBT-014).
    pub order_reference: Option<OrderReference>,
    /// `cac:BillingReference` (IBG-03).
    pub billing_reference: Vec<BillingReference>,
    /// `cac:DespatchDocumentReference` (IBT-016).
    pub despatch_document_reference: Vec<DocumentReference>,
    /// `cac:ReceiptDocumentReference` (IBT-015).
    pub receipt_document_reference: Vec<DocumentReference>,
    /// `cac:StatementDocumentReference`.
    pub statement_document_reference: Vec<DocumentReference>,
    /// `cac:OriginatorDocumentReference` (IBT-017).
    pub originator_document_reference: Vec<DocumentReference>,
    /// `cac:ContractDocumentReference` (IBT-012).
    pub contract_document_reference: Vec<DocumentReference>,
    /// `cac:AdditionalDocumentReference` (IBG-24).
    pub additional_document_reference: Vec<DocumentReference>,
    /// `cac:ProjectReference` (IBT-011; invoices only).
    pub project_reference: Vec<ProjectReference>,
    /// `cac:AccountingSupplierParty` (IBG-04, the seller).
    pub accounting_supplier_party: Option<SupplierParty>,
    /// `cac:AccountingCustomerParty` (IBG-07, the buyer).
    pub accounting_customer_party: Option<CustomerParty>,
    /// `cac:PayeeParty` (IBG-10).
    pub payee_party: Option<Party>,
    /// `cac:BuyerCustomerParty`.
    pub buyer_customer_party: Option<CustomerParty>,
    /// `cac:SellerSupplierParty`.
    pub seller_supplier_party: Option<SupplierParty>,
    /// `cac:TaxRepresentativeParty` (IBG-11).
    pub tax_representative_party: Option<Party>,
    /// `cac:Delivery` (IBG-13).
    pub delivery: Vec<Delivery>,
    /// `cac:PaymentMeans` (IBG-16).
    pub payment_means: Vec<PaymentMeans>,
    /// `cac:PaymentTerms` (IBT-020).
    pub payment_terms: Vec<PaymentTerms>,
    /// `cac:AllowanceCharge` (IBG-20, IBG-21).
    pub allowance_charge: Vec<AllowanceCharge>,
    /// `cac:TaxExchangeRate` (BTAE-04).
    pub tax_exchange_rate: Option<ExchangeRate>,
    /// `cac:PricingExchangeRate`.
    pub pricing_exchange_rate: Option<ExchangeRate>,
    /// `cac:TaxTotal` (IBG-23).
    pub tax_total: Vec<TaxTotal>,
    /// `cac:LegalMonetaryTotal` (IBG-22).
    pub legal_monetary_total: Option<MonetaryTotal>,
    /// `cac:InvoiceLine` / `cac:CreditNoteLine` (IBG-25).
    pub lines: Vec<Line>,
    /// Where it came from.
    pub src: Src,
}

/// A written document: the XML and where its elements came from.
#[derive(Clone, Debug)]
pub struct Written {
    /// UBL 2.1 XML, UTF-8.
    pub xml: Vec<u8>,
    /// Element location → input path.
    pub sources: SourceMap,
}

impl Document {
    /// An empty document of `kind`.
    pub fn new(kind: DocumentKind) -> Document {
        Document {
            kind,
            ubl_version_id: None,
            customization_id: None,
            profile_id: None,
            profile_execution_id: None,
            id: None,
            uuid: None,
            issue_date: None,
            issue_time: None,
            due_date: None,
            type_code: None,
            note: Vec::new(),
            tax_point_date: None,
            document_currency_code: None,
            tax_currency_code: None,
            accounting_cost: None,
            buyer_reference: None,
            invoice_period: Vec::new(),
            discrepancy_response: Vec::new(),
            order_reference: None,
            billing_reference: Vec::new(),
            despatch_document_reference: Vec::new(),
            receipt_document_reference: Vec::new(),
            statement_document_reference: Vec::new(),
            originator_document_reference: Vec::new(),
            contract_document_reference: Vec::new(),
            additional_document_reference: Vec::new(),
            project_reference: Vec::new(),
            accounting_supplier_party: None,
            accounting_customer_party: None,
            payee_party: None,
            buyer_customer_party: None,
            seller_supplier_party: None,
            tax_representative_party: None,
            delivery: Vec::new(),
            payment_means: Vec::new(),
            payment_terms: Vec::new(),
            allowance_charge: Vec::new(),
            tax_exchange_rate: None,
            pricing_exchange_rate: None,
            tax_total: Vec::new(),
            legal_monetary_total: None,
            lines: Vec::new(),
            src: Src::default(),
        }
    }

    /// Fields that are set but that a document of this kind cannot carry
    /// (UBL has no place for them); the writer leaves them out, so callers
    /// should report these.
    pub fn misplaced(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        match self.kind {
            DocumentKind::Invoice => {
                if self.discrepancy_response.is_set() {
                    out.push("DiscrepancyResponse");
                }
                if self.lines.iter().any(|l| l.discrepancy_response.is_set()) {
                    out.push("InvoiceLine/DiscrepancyResponse");
                }
            }
            DocumentKind::CreditNote => {
                if self.due_date.is_some() {
                    out.push("DueDate");
                }
                if self.project_reference.is_set() {
                    out.push("ProjectReference");
                }
            }
        }
        out
    }

    /// The field a child element of the root fills, and the element's
    /// prefix: one table for the XML and the JSON reader (lines aside).
    fn slot(&mut self, name: &str) -> Option<(&'static str, &mut dyn Field)> {
        Some(match name {
            "UBLVersionID" => ("cbc", &mut self.ubl_version_id),
            "CustomizationID" => ("cbc", &mut self.customization_id),
            "ProfileID" => ("cbc", &mut self.profile_id),
            "ProfileExecutionID" => ("cbc", &mut self.profile_execution_id),
            "ID" => ("cbc", &mut self.id),
            "UUID" => ("cbc", &mut self.uuid),
            "IssueDate" => ("cbc", &mut self.issue_date),
            "IssueTime" => ("cbc", &mut self.issue_time),
            "DueDate" => ("cbc", &mut self.due_date),
            "InvoiceTypeCode" | "CreditNoteTypeCode" => ("cbc", &mut self.type_code),
            "Note" => ("cbc", &mut self.note),
            "TaxPointDate" => ("cbc", &mut self.tax_point_date),
            "DocumentCurrencyCode" => ("cbc", &mut self.document_currency_code),
            "TaxCurrencyCode" => ("cbc", &mut self.tax_currency_code),
            "AccountingCost" => ("cbc", &mut self.accounting_cost),
            "BuyerReference" => ("cbc", &mut self.buyer_reference),
            "InvoicePeriod" => ("cac", &mut self.invoice_period),
            "DiscrepancyResponse" => ("cac", &mut self.discrepancy_response),
            "OrderReference" => ("cac", &mut self.order_reference),
            "BillingReference" => ("cac", &mut self.billing_reference),
            "DespatchDocumentReference" => ("cac", &mut self.despatch_document_reference),
            "ReceiptDocumentReference" => ("cac", &mut self.receipt_document_reference),
            "StatementDocumentReference" => ("cac", &mut self.statement_document_reference),
            "OriginatorDocumentReference" => ("cac", &mut self.originator_document_reference),
            "ContractDocumentReference" => ("cac", &mut self.contract_document_reference),
            "AdditionalDocumentReference" => ("cac", &mut self.additional_document_reference),
            "ProjectReference" => ("cac", &mut self.project_reference),
            "AccountingSupplierParty" => ("cac", &mut self.accounting_supplier_party),
            "AccountingCustomerParty" => ("cac", &mut self.accounting_customer_party),
            "PayeeParty" => ("cac", &mut self.payee_party),
            "BuyerCustomerParty" => ("cac", &mut self.buyer_customer_party),
            "SellerSupplierParty" => ("cac", &mut self.seller_supplier_party),
            "TaxRepresentativeParty" => ("cac", &mut self.tax_representative_party),
            "Delivery" => ("cac", &mut self.delivery),
            "PaymentMeans" => ("cac", &mut self.payment_means),
            "PaymentTerms" => ("cac", &mut self.payment_terms),
            "AllowanceCharge" => ("cac", &mut self.allowance_charge),
            "TaxExchangeRate" => ("cac", &mut self.tax_exchange_rate),
            "PricingExchangeRate" => ("cac", &mut self.pricing_exchange_rate),
            "TaxTotal" => ("cac", &mut self.tax_total),
            "LegalMonetaryTotal" => ("cac", &mut self.legal_monetary_total),
            _ => return None,
        })
    }

    /// Writes the document as UBL 2.1 XML in the XSD's element order.
    pub fn to_xml(&self) -> Result<Written, ModelError> {
        let kind = self.kind;
        let cn = kind == DocumentKind::CreditNote;
        let (root, root_ns) = match kind {
            DocumentKind::Invoice => ("Invoice", ns::INVOICE),
            DocumentKind::CreditNote => ("CreditNote", ns::CREDIT_NOTE),
        };
        let mut out = XmlOut::new(4096 + 2048 * self.lines.len());
        out.start(
            root,
            &[("xmlns", root_ns), ("xmlns:cac", ns::CAC), ("xmlns:cbc", ns::CBC)],
            &self.src,
        );
        self.ubl_version_id.write_field(&mut out, q!(cbc UBLVersionID));
        self.customization_id.write_field(&mut out, q!(cbc CustomizationID));
        self.profile_id.write_field(&mut out, q!(cbc ProfileID));
        self.profile_execution_id
            .write_field(&mut out, q!(cbc ProfileExecutionID));
        self.id.write_field(&mut out, q!(cbc ID));
        self.uuid.write_field(&mut out, q!(cbc UUID));
        self.issue_date.write_field(&mut out, q!(cbc IssueDate));
        self.issue_time.write_field(&mut out, q!(cbc IssueTime));
        if cn {
            self.tax_point_date.write_field(&mut out, q!(cbc TaxPointDate));
            self.type_code.write_field(&mut out, q!(cbc CreditNoteTypeCode));
            self.note.write_field(&mut out, q!(cbc Note));
        } else {
            self.due_date.write_field(&mut out, q!(cbc DueDate));
            self.type_code.write_field(&mut out, q!(cbc InvoiceTypeCode));
            self.note.write_field(&mut out, q!(cbc Note));
            self.tax_point_date.write_field(&mut out, q!(cbc TaxPointDate));
        }
        self.document_currency_code
            .write_field(&mut out, q!(cbc DocumentCurrencyCode));
        self.tax_currency_code.write_field(&mut out, q!(cbc TaxCurrencyCode));
        self.accounting_cost.write_field(&mut out, q!(cbc AccountingCost));
        self.buyer_reference.write_field(&mut out, q!(cbc BuyerReference));
        self.invoice_period.write_field(&mut out, q!(cac InvoicePeriod));
        if cn {
            self.discrepancy_response
                .write_field(&mut out, q!(cac DiscrepancyResponse));
        }
        self.order_reference.write_field(&mut out, q!(cac OrderReference));
        self.billing_reference.write_field(&mut out, q!(cac BillingReference));
        self.despatch_document_reference
            .write_field(&mut out, q!(cac DespatchDocumentReference));
        self.receipt_document_reference
            .write_field(&mut out, q!(cac ReceiptDocumentReference));
        if cn {
            self.contract_document_reference
                .write_field(&mut out, q!(cac ContractDocumentReference));
            self.additional_document_reference
                .write_field(&mut out, q!(cac AdditionalDocumentReference));
            self.statement_document_reference
                .write_field(&mut out, q!(cac StatementDocumentReference));
            self.originator_document_reference
                .write_field(&mut out, q!(cac OriginatorDocumentReference));
        } else {
            self.statement_document_reference
                .write_field(&mut out, q!(cac StatementDocumentReference));
            self.originator_document_reference
                .write_field(&mut out, q!(cac OriginatorDocumentReference));
            self.contract_document_reference
                .write_field(&mut out, q!(cac ContractDocumentReference));
            self.additional_document_reference
                .write_field(&mut out, q!(cac AdditionalDocumentReference));
            self.project_reference.write_field(&mut out, q!(cac ProjectReference));
        }
        self.accounting_supplier_party
            .write_field(&mut out, q!(cac AccountingSupplierParty));
        self.accounting_customer_party
            .write_field(&mut out, q!(cac AccountingCustomerParty));
        self.payee_party.write_field(&mut out, q!(cac PayeeParty));
        self.buyer_customer_party
            .write_field(&mut out, q!(cac BuyerCustomerParty));
        self.seller_supplier_party
            .write_field(&mut out, q!(cac SellerSupplierParty));
        self.tax_representative_party
            .write_field(&mut out, q!(cac TaxRepresentativeParty));
        self.delivery.write_field(&mut out, q!(cac Delivery));
        self.payment_means.write_field(&mut out, q!(cac PaymentMeans));
        self.payment_terms.write_field(&mut out, q!(cac PaymentTerms));
        if !cn {
            self.allowance_charge.write_field(&mut out, q!(cac AllowanceCharge));
        }
        self.tax_exchange_rate.write_field(&mut out, q!(cac TaxExchangeRate));
        self.pricing_exchange_rate
            .write_field(&mut out, q!(cac PricingExchangeRate));
        if cn {
            self.allowance_charge.write_field(&mut out, q!(cac AllowanceCharge));
        }
        self.tax_total.write_field(&mut out, q!(cac TaxTotal));
        self.legal_monetary_total
            .write_field(&mut out, q!(cac LegalMonetaryTotal));
        for line in &self.lines {
            line.write(&mut out, kind);
        }
        out.end(root);
        let (xml, sources) = out.finish()?;
        Ok(Written { xml, sources })
    }

    /// Reads a UBL `Invoice` or `CreditNote`. Elements the model has no
    /// place for are skipped and listed in the returned [`ReadCx`].
    pub fn from_xml(text: &str) -> Result<(Document, ReadCx), ModelError> {
        let doc = roxmltree::Document::parse(text).map_err(|e| ModelError::Xml(e.to_string()))?;
        let root = doc.root_element();
        let kind = DocumentKind::from_root(root.tag_name().namespace(), root.tag_name().name())
            .ok_or_else(|| ModelError::Root(root.tag_name().name().to_string()))?;
        let mut cx = ReadCx::default();
        let mut d = Document::new(kind);
        for c in root.children().filter(|n| n.is_element()) {
            let name = c.tag_name().name();
            if matches!(name, "InvoiceLine" | "CreditNoteLine") && in_ns(c, "cac") {
                d.lines.push(Line::read(c, &mut cx)?);
                continue;
            }
            match d.slot(name) {
                Some((prefix, f)) if in_ns(c, prefix) => f.read_child(c, &mut cx)?,
                _ => skip(c, &mut cx),
            }
        }
        Ok((d, cx))
    }

    /// Reads a document of `kind` from UBL-shaped JSON (element names as
    /// keys, leaves as `{"Value": …, "currencyID": …}` or bare scalars,
    /// repeatable elements as arrays). Keys in `ignore` are skipped
    /// silently; other unknown keys become warnings in `cx`.
    pub fn from_json(v: &Value, path: &str, kind: DocumentKind, ignore: &[&str], cx: &mut JsonCx) -> Document {
        let mut d = Document::new(kind);
        d.src = Src::at(path);
        let Some(obj) = json_object(v, path, cx) else {
            return d;
        };
        for (k, val) in obj {
            let p = format!("{path}.{k}");
            if let Some((_, f)) = d.slot(k) {
                f.json_field(val, &p, cx);
                continue;
            }
            match k.as_str() {
                "InvoiceLine" | "CreditNoteLine" => match val {
                    Value::Array(items) => {
                        for (i, x) in items.iter().enumerate() {
                            d.lines.extend(Line::from_json(x, &format!("{p}[{i}]"), cx));
                        }
                    }
                    other => d.lines.extend(Line::from_json(other, &p, cx)),
                },
                other if ignore.contains(&other) => {}
                _ => cx.unknown(&p, val),
            }
        }
        d
    }
}
