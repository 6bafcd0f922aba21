//! The seller: an entity as the platform stores it. Offline the user passes
//! it as JSON (`--entity FILE` or `--entities FILE`); the format is
//! documented in the README.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::input::{Issues, Obj};
use crate::{FieldIssue, JsonError};

/// A seller entity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entity {
    /// `entity_id`: what invoices name in their `entity_id`.
    pub entity_id: String,
    /// `name`: legal name (IBT-027).
    pub name: Option<String>,
    /// `trade_name`: trading name (IBT-028).
    pub trade_name: Option<String>,
    /// `trn`: VAT registration number, 15 digits (IBT-031).
    pub trn: Option<String>,
    /// `tin`: electronic address (IBT-034, scheme 0235); defaults to the
    /// first 10 digits of the TRN.
    pub tin: Option<String>,
    /// `address_line1` (IBT-035).
    pub address_line1: Option<String>,
    /// `address_line2` (IBT-036).
    pub address_line2: Option<String>,
    /// `city` (IBT-037).
    pub city: Option<String>,
    /// `emirate`: name or code (IBT-039).
    pub emirate: Option<String>,
    /// `country`: name or ISO code, default AE (IBT-040).
    pub country: Option<String>,
    /// `email` (IBT-043).
    pub email: Option<String>,
    /// `phone` (IBT-042).
    pub phone: Option<String>,
    /// `legal_registration_id` (IBT-030).
    pub legal_registration_id: Option<String>,
    /// `legal_registration_type`: TL, EID, PAS or CD (BTAE-15).
    pub legal_registration_type: Option<String>,
    /// `issuing_authority` (BTAE-12), for TL.
    pub issuing_authority: Option<String>,
    /// `passport_country` (BTAE-18), for PAS.
    pub passport_country: Option<String>,
    /// `iban`: the account invoices are paid to when they name none.
    pub iban: Option<String>,
}

const KEYS: &[&str] = &[
    "entity_id",
    "name",
    "trade_name",
    "trn",
    "tin",
    "address_line1",
    "address_line2",
    "city",
    "emirate",
    "country",
    "email",
    "phone",
    "legal_registration_id",
    "legal_registration_type",
    "issuing_authority",
    "passport_country",
    "iban",
];

impl Entity {
    fn read(o: &Obj<'_>, is: &mut Issues) -> Entity {
        o.unknown_keys(KEYS, is);
        let s = |k: &str, is: &mut Issues| o.str(k, is);
        Entity {
            entity_id: o.req_str("entity_id", is).unwrap_or_default(),
            name: s("name", is),
            trade_name: s("trade_name", is),
            trn: s("trn", is),
            tin: s("tin", is),
            address_line1: s("address_line1", is),
            address_line2: s("address_line2", is),
            city: s("city", is),
            emirate: s("emirate", is),
            country: s("country", is),
            email: s("email", is),
            phone: s("phone", is),
            legal_registration_id: s("legal_registration_id", is),
            legal_registration_type: s("legal_registration_type", is),
            issuing_authority: s("issuing_authority", is),
            passport_country: s("passport_country", is),
            iban: s("iban", is),
        }
    }
}

/// The entities invoices may name, by `entity_id`.
#[derive(Clone, Debug, Default)]
pub struct Entities {
    by_id: BTreeMap<String, Entity>,
    /// With a single entity (`--entity`), every invoice uses it whatever its
    /// `entity_id` says.
    only: Option<Entity>,
}

impl Entities {
    /// No entities: every invoice fails with "unknown entity".
    pub fn none() -> Entities {
        Entities::default()
    }

    /// One entity for every invoice.
    pub fn single(e: Entity) -> Entities {
        Entities {
            by_id: BTreeMap::new(),
            only: Some(e),
        }
    }

    /// Reads one entity object (`--entity FILE`).
    pub fn from_entity_json(bytes: &[u8]) -> Result<Entities, JsonError> {
        let v = crate::parse_json(bytes)?;
        let mut is = Issues::default();
        let e = Obj::new(&v, "", &mut is).map(|o| Entity::read(&o, &mut is));
        match e {
            Some(e) if is.errors.is_empty() => Ok(Entities::single(e)),
            _ => Err(JsonError::Fields(is.errors)),
        }
    }

    /// Reads several entities (`--entities FILE`): an array of entity
    /// objects, `{"entities": [...]}`, or an object keyed by `entity_id`.
    pub fn from_entities_json(bytes: &[u8]) -> Result<Entities, JsonError> {
        let v = crate::parse_json(bytes)?;
        let mut is = Issues::default();
        let mut by_id = BTreeMap::new();
        let mut add = |o: Obj<'_>, is: &mut Issues| {
            let e = Entity::read(&o, is);
            if by_id.contains_key(&e.entity_id) {
                is.error(&o.at("entity_id"), format!("entity '{}' is defined twice", e.entity_id));
            }
            by_id.insert(e.entity_id.clone(), e);
        };
        match &v {
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    if let Some(o) = Obj::new(x, &format!("[{i}]"), &mut is) {
                        add(o, &mut is);
                    }
                }
            }
            Value::Object(m) if m.get("entities").is_some_and(Value::is_array) => {
                if let Some(Value::Array(items)) = m.get("entities") {
                    for (i, x) in items.iter().enumerate() {
                        if let Some(o) = Obj::new(x, &format!("entities[{i}]"), &mut is) {
                            add(o, &mut is);
                        }
                    }
                }
            }
            Value::Object(m) => {
                for (k, x) in m {
                    if let Some(o) = Obj::new(x, k, &mut is) {
                        let mut e = Entity::read(&o, &mut is);
                        if e.entity_id.is_empty() {
                            is.errors.retain(|i| i.path != o.at("entity_id"));
                            e.entity_id = k.clone();
                        }
                        by_id.insert(e.entity_id.clone(), e);
                    }
                }
            }
            _ => is
                .errors
                .push(FieldIssue::new("$", "expected an array or object of entities")),
        }
        if is.errors.is_empty() {
            Ok(Entities { by_id, only: None })
        } else {
            Err(JsonError::Fields(is.errors))
        }
    }

    /// The entity for `entity_id`.
    pub fn get(&self, entity_id: Option<&str>) -> Option<&Entity> {
        if let Some(e) = &self.only {
            return Some(e);
        }
        self.by_id.get(entity_id?)
    }

    /// How many entities are known.
    pub fn len(&self) -> usize {
        self.by_id.len() + usize::from(self.only.is_some())
    }

    /// Whether none is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
