//! The typed PINT-AE document: every aggregate UBL 2.1 needs for PINT-AE
//! invoices and credit notes, fields declared in the order of the UBL XSD
//! (the writer follows declaration order).

use serde_json::Value;

use crate::element::{in_ns, json_object, skip, Element, Field, JsonCx, ReadCx, XmlOut};
use crate::value::{
    Amount, Binary, Code, CountryCode, CurrencyCode, Date, Identifier, Indicator, Numeric, Quantity, Src, Text,
};
use crate::ModelError;

/// Declares an aggregate (`cac:` element): the struct, and its XML writer,
/// XML reader and JSON reader, all from one field list in XSD order.
macro_rules! aggregate {
    ($(#[$m:meta])* $name:ident { $($field:ident : $ty:ty = $pfx:ident $xml:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Default)]
        pub struct $name {
            $(#[doc = concat!("`", stringify!($pfx), ":", stringify!($xml), "`")] pub $field: $ty,)*
            /// Where it came from.
            pub src: Src,
        }

        impl Element for $name {
            fn write(&self, out: &mut XmlOut, name: &'static str) {
                if self.is_empty() {
                    return;
                }
                out.start(name, &[], &self.src);
                $(Field::write_field(&self.$field, out, concat!(stringify!($pfx), ":", stringify!($xml)));)*
                out.end(name);
            }

            fn read(node: roxmltree::Node<'_, '_>, cx: &mut ReadCx) -> Result<Self, ModelError> {
                let mut s = Self::default();
                for child in node.children().filter(|n| n.is_element()) {
                    match child.tag_name().name() {
                        $(stringify!($xml) if in_ns(child, stringify!($pfx)) => Field::read_child(&mut s.$field, child, cx)?,)*
                        _ => skip(child, cx),
                    }
                }
                Ok(s)
            }

            fn from_json(v: &Value, path: &str, cx: &mut JsonCx) -> Option<Self> {
                let obj = json_object(v, path, cx)?;
                let mut s = Self::default();
                for (k, val) in obj {
                    let p = format!("{path}.{k}");
                    match k.as_str() {
                        $(stringify!($xml) => Field::json_field(&mut s.$field, val, &p, cx),)*
                        _ => cx.unknown(&p, val),
                    }
                }
                if s.is_empty() {
                    return None;
                }
                s.src.set_if_unset(path);
                Some(s)
            }

            fn is_empty(&self) -> bool {
                true $(&& !Field::is_set(&self.$field))*
            }
        }
    };
}

aggregate!(
    /// A period (`cac:InvoicePeriod`).
    Period {
        start_date: Option<Date> = cbc StartDate,
        end_date: Option<Date> = cbc EndDate,
        description_code: Option<Code> = cbc DescriptionCode,
        description: Vec<Text> = cbc Description,
    }
);

aggregate!(
    /// A response (`cac:DiscrepancyResponse`: the credit note's reason, BTAE-03).
    Response {
        reference_id: Option<Identifier> = cbc ReferenceID,
        response_code: Option<Code> = cbc ResponseCode,
        description: Vec<Text> = cbc Description,
    }
);

aggregate!(
    /// The purchase order (`cac:OrderReference`).
    OrderReference {
        id: Option<Identifier> = cbc ID,
        sales_order_id: Option<Identifier> = cbc SalesOrderID,
    }
);

aggregate!(
    /// An external reference (`cac:ExternalReference`).
    ExternalReference {
        uri: Option<Text> = cbc URI,
    }
);

aggregate!(
    /// An attachment (`cac:Attachment`).
    Attachment {
        embedded_document_binary_object: Option<Binary> = cbc EmbeddedDocumentBinaryObject,
        external_reference: Option<ExternalReference> = cac ExternalReference,
    }
);

aggregate!(
    /// A document reference (preceding invoice, contract, attachment, …).
    DocumentReference {
        id: Option<Identifier> = cbc ID,
        issue_date: Option<Date> = cbc IssueDate,
        document_type_code: Option<Code> = cbc DocumentTypeCode,
        document_description: Vec<Text> = cbc DocumentDescription,
        attachment: Option<Attachment> = cac Attachment,
    }
);

aggregate!(
    /// A billing reference (`cac:BillingReference`: the preceding invoice).
    BillingReference {
        invoice_document_reference: Option<DocumentReference> = cac InvoiceDocumentReference,
    }
);

aggregate!(
    /// A project reference (`cac:ProjectReference`).
    ProjectReference {
        id: Option<Identifier> = cbc ID,
    }
);

aggregate!(
    /// A party identifier (`cac:PartyIdentification`).
    PartyIdentification {
        id: Option<Identifier> = cbc ID,
    }
);

aggregate!(
    /// A party's trading name (`cac:PartyName`).
    PartyName {
        name: Option<Text> = cbc Name,
    }
);

aggregate!(
    /// An address line (`cac:AddressLine`).
    AddressLine {
        line: Option<Text> = cbc Line,
    }
);

aggregate!(
    /// A country (`cac:Country`, `cac:OriginCountry`).
    Country {
        identification_code: Option<CountryCode> = cbc IdentificationCode,
    }
);

aggregate!(
    /// A postal address.
    Address {
        street_name: Option<Text> = cbc StreetName,
        additional_street_name: Option<Text> = cbc AdditionalStreetName,
        building_number: Option<Text> = cbc BuildingNumber,
        city_name: Option<Text> = cbc CityName,
        postal_zone: Option<Text> = cbc PostalZone,
        country_subentity: Option<Text> = cbc CountrySubentity,
        address_line: Vec<AddressLine> = cac AddressLine,
        country: Option<Country> = cac Country,
    }
);

aggregate!(
    /// A tax scheme (`cac:TaxScheme`, `VAT`).
    TaxScheme {
        id: Option<Identifier> = cbc ID,
    }
);

aggregate!(
    /// A party's tax registration (`cac:PartyTaxScheme`: the TRN).
    PartyTaxScheme {
        registration_name: Option<Text> = cbc RegistrationName,
        company_id: Option<Identifier> = cbc CompanyID,
        tax_scheme: Option<TaxScheme> = cac TaxScheme,
    }
);

aggregate!(
    /// A party's legal registration (`cac:PartyLegalEntity`).
    PartyLegalEntity {
        registration_name: Option<Text> = cbc RegistrationName,
        company_id: Option<Identifier> = cbc CompanyID,
        company_legal_form: Option<Text> = cbc CompanyLegalForm,
    }
);

aggregate!(
    /// A contact (`cac:Contact`).
    Contact {
        name: Option<Text> = cbc Name,
        telephone: Option<Text> = cbc Telephone,
        electronic_mail: Option<Text> = cbc ElectronicMail,
    }
);

aggregate!(
    /// A party: seller, buyer, payee, tax representative, delivery party.
    Party {
        endpoint_id: Option<Identifier> = cbc EndpointID,
        party_identification: Vec<PartyIdentification> = cac PartyIdentification,
        party_name: Vec<PartyName> = cac PartyName,
        postal_address: Option<Address> = cac PostalAddress,
        party_tax_scheme: Vec<PartyTaxScheme> = cac PartyTaxScheme,
        party_legal_entity: Vec<PartyLegalEntity> = cac PartyLegalEntity,
        contact: Option<Contact> = cac Contact,
    }
);

aggregate!(
    /// The seller's side (`cac:AccountingSupplierParty`, `cac:SellerSupplierParty`).
    SupplierParty {
        party: Option<Party> = cac Party,
    }
);

aggregate!(
    /// The buyer's side (`cac:AccountingCustomerParty`, `cac:BuyerCustomerParty`).
    CustomerParty {
        party: Option<Party> = cac Party,
    }
);

aggregate!(
    /// A place (`cac:DeliveryLocation`).
    Location {
        id: Option<Identifier> = cbc ID,
        address: Option<Address> = cac Address,
    }
);

aggregate!(
    /// Delivery terms (`cac:DeliveryTerms`).
    DeliveryTerms {
        id: Option<Identifier> = cbc ID,
    }
);

aggregate!(
    /// A delivery (`cac:Delivery`).
    Delivery {
        actual_delivery_date: Option<Date> = cbc ActualDeliveryDate,
        delivery_location: Option<Location> = cac DeliveryLocation,
        delivery_party: Option<Party> = cac DeliveryParty,
        delivery_terms: Vec<DeliveryTerms> = cac DeliveryTerms,
    }
);

aggregate!(
    /// A card (`cac:CardAccount`).
    CardAccount {
        primary_account_number_id: Option<Identifier> = cbc PrimaryAccountNumberID,
        network_id: Option<Identifier> = cbc NetworkID,
        holder_name: Option<Text> = cbc HolderName,
    }
);

aggregate!(
    /// A bank branch (`cac:FinancialInstitutionBranch`).
    Branch {
        id: Option<Identifier> = cbc ID,
    }
);

aggregate!(
    /// A bank account (`cac:PayeeFinancialAccount`).
    FinancialAccount {
        id: Option<Identifier> = cbc ID,
        name: Option<Text> = cbc Name,
        financial_institution_branch: Option<Branch> = cac FinancialInstitutionBranch,
    }
);

aggregate!(
    /// A direct-debit mandate (`cac:PaymentMandate`).
    PaymentMandate {
        id: Option<Identifier> = cbc ID,
        payer_financial_account: Option<FinancialAccount> = cac PayerFinancialAccount,
    }
);

aggregate!(
    /// A means of payment (`cac:PaymentMeans`).
    PaymentMeans {
        payment_means_code: Option<Code> = cbc PaymentMeansCode,
        payment_due_date: Option<Date> = cbc PaymentDueDate,
        payment_id: Vec<Text> = cbc PaymentID,
        card_account: Option<CardAccount> = cac CardAccount,
        payee_financial_account: Option<FinancialAccount> = cac PayeeFinancialAccount,
        payment_mandate: Option<PaymentMandate> = cac PaymentMandate,
    }
);

aggregate!(
    /// Payment terms (`cac:PaymentTerms`).
    PaymentTerms {
        note: Vec<Text> = cbc Note,
    }
);

aggregate!(
    /// A tax category (`cac:TaxCategory`, `cac:ClassifiedTaxCategory`).
    TaxCategory {
        id: Option<Identifier> = cbc ID,
        percent: Option<Numeric> = cbc Percent,
        per_unit_amount: Option<Amount> = cbc PerUnitAmount,
        tax_exemption_reason_code: Option<Code> = cbc TaxExemptionReasonCode,
        tax_exemption_reason: Vec<Text> = cbc TaxExemptionReason,
        tax_scheme: Option<TaxScheme> = cac TaxScheme,
    }
);

aggregate!(
    /// An allowance or charge (document level, line level or on the price).
    AllowanceCharge {
        charge_indicator: Option<Indicator> = cbc ChargeIndicator,
        allowance_charge_reason_code: Option<Code> = cbc AllowanceChargeReasonCode,
        allowance_charge_reason: Vec<Text> = cbc AllowanceChargeReason,
        multiplier_factor_numeric: Option<Numeric> = cbc MultiplierFactorNumeric,
        amount: Option<Amount> = cbc Amount,
        base_amount: Option<Amount> = cbc BaseAmount,
        tax_category: Vec<TaxCategory> = cac TaxCategory,
    }
);

aggregate!(
    /// An exchange rate (`cac:TaxExchangeRate`: BTAE-04).
    ExchangeRate {
        source_currency_code: Option<CurrencyCode> = cbc SourceCurrencyCode,
        target_currency_code: Option<CurrencyCode> = cbc TargetCurrencyCode,
        calculation_rate: Option<Numeric> = cbc CalculationRate,
        date: Option<Date> = cbc Date,
    }
);

aggregate!(
    /// A tax subtotal (one per tax category and rate).
    TaxSubtotal {
        taxable_amount: Option<Amount> = cbc TaxableAmount,
        tax_amount: Option<Amount> = cbc TaxAmount,
        tax_category: Option<TaxCategory> = cac TaxCategory,
    }
);

aggregate!(
    /// A tax total (`cac:TaxTotal`).
    TaxTotal {
        tax_amount: Option<Amount> = cbc TaxAmount,
        tax_included_indicator: Option<Indicator> = cbc TaxIncludedIndicator,
        tax_subtotal: Vec<TaxSubtotal> = cac TaxSubtotal,
    }
);

aggregate!(
    /// The document totals (`cac:LegalMonetaryTotal`).
    MonetaryTotal {
        line_extension_amount: Option<Amount> = cbc LineExtensionAmount,
        tax_exclusive_amount: Option<Amount> = cbc TaxExclusiveAmount,
        tax_inclusive_amount: Option<Amount> = cbc TaxInclusiveAmount,
        allowance_total_amount: Option<Amount> = cbc AllowanceTotalAmount,
        charge_total_amount: Option<Amount> = cbc ChargeTotalAmount,
        prepaid_amount: Option<Amount> = cbc PrepaidAmount,
        payable_rounding_amount: Option<Amount> = cbc PayableRoundingAmount,
        payable_amount: Option<Amount> = cbc PayableAmount,
    }
);

aggregate!(
    /// A reference to an order line (`cac:OrderLineReference`).
    OrderLineReference {
        line_id: Option<Identifier> = cbc LineID,
        order_reference: Option<OrderReference> = cac OrderReference,
    }
);

aggregate!(
    /// An item identifier (seller's, buyer's, standard, additional).
    ItemIdentification {
        id: Option<Identifier> = cbc ID,
    }
);

aggregate!(
    /// An item classification (`cac:CommodityClassification`: goods/services
    /// type and HS or service code).
    CommodityClassification {
        nature_code: Option<Code> = cbc NatureCode,
        commodity_code: Option<Code> = cbc CommodityCode,
        item_classification_code: Option<Code> = cbc ItemClassificationCode,
    }
);

aggregate!(
    /// An item attribute (`cac:AdditionalItemProperty`).
    ItemProperty {
        name: Option<Text> = cbc Name,
        value: Option<Text> = cbc Value,
    }
);

aggregate!(
    /// A lot (`cac:LotIdentification`).
    LotIdentification {
        lot_number_id: Option<Identifier> = cbc LotNumberID,
    }
);

aggregate!(
    /// An item instance (`cac:ItemInstance`).
    ItemInstance {
        lot_identification: Option<LotIdentification> = cac LotIdentification,
    }
);

aggregate!(
    /// What a line sells (`cac:Item`).
    Item {
        description: Vec<Text> = cbc Description,
        name: Option<Text> = cbc Name,
        buyers_item_identification: Option<ItemIdentification> = cac BuyersItemIdentification,
        sellers_item_identification: Option<ItemIdentification> = cac SellersItemIdentification,
        standard_item_identification: Option<ItemIdentification> = cac StandardItemIdentification,
        additional_item_identification: Vec<ItemIdentification> = cac AdditionalItemIdentification,
        origin_country: Option<Country> = cac OriginCountry,
        commodity_classification: Vec<CommodityClassification> = cac CommodityClassification,
        classified_tax_category: Vec<TaxCategory> = cac ClassifiedTaxCategory,
        additional_item_property: Vec<ItemProperty> = cac AdditionalItemProperty,
        item_instance: Vec<ItemInstance> = cac ItemInstance,
    }
);

aggregate!(
    /// A line's price (`cac:Price`).
    Price {
        price_amount: Option<Amount> = cbc PriceAmount,
        base_quantity: Option<Quantity> = cbc BaseQuantity,
        allowance_charge: Vec<AllowanceCharge> = cac AllowanceCharge,
    }
);

aggregate!(
    /// The line's amounts in AED (`cac:ItemPriceExtension`: BTAE-10, BTAE-08).
    PriceExtension {
        amount: Option<Amount> = cbc Amount,
        tax_total: Vec<TaxTotal> = cac TaxTotal,
    }
);
