//! [`Customer`]: the Karzoun customer a webhook delivery is about (docs/format.md §10.8).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A customer's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CustomerState {
    Visitor,
    Lead,
    Customer,
}

/// The Karzoun customer fields a definition can map (docs/format.md §10.8), serialized with their
/// Karzoun names. `code` (the provider's id) is what customers are matched by.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Gender as a number (the code table is the platform's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<i64>,
    /// The date of birth as the provider sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<CustomerState>,
}

/// A key of `customerExtraction.mapping`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CustomerField {
    FirstName,
    LastName,
    PrimaryEmail,
    PrimaryPhone,
    Code,
    Avatar,
    Sex,
    BirthDate,
    Position,
    Department,
    State,
}

/// Text of a mapped value: strings as they are, numbers and booleans as JSON text; `null`, `""`
/// and structured values give nothing.
fn text(value: Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A lifecycle state, in any case (`"Lead"`, `"CUSTOMER"`).
fn state(value: &Value) -> Option<CustomerState> {
    let text = value.as_str()?.trim();
    [("visitor", CustomerState::Visitor), ("lead", CustomerState::Lead), ("customer", CustomerState::Customer)]
        .into_iter()
        .find(|(name, _)| text.eq_ignore_ascii_case(name))
        .map(|(_, state)| state)
}

/// A whole number, or a string holding one.
fn whole(value: Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl Customer {
    /// Sets one field from a provider value. A value that does not fit the field's type (an
    /// unknown `state`, a `sex` that is not a number) leaves the field empty.
    pub fn set(&mut self, field: CustomerField, value: Value) {
        match field {
            CustomerField::FirstName => self.first_name = text(value),
            CustomerField::LastName => self.last_name = text(value),
            CustomerField::PrimaryEmail => self.primary_email = text(value),
            CustomerField::PrimaryPhone => self.primary_phone = text(value),
            CustomerField::Code => self.code = text(value),
            CustomerField::Avatar => self.avatar = text(value),
            CustomerField::Sex => self.sex = whole(value),
            CustomerField::BirthDate => self.birth_date = text(value),
            CustomerField::Position => self.position = text(value),
            CustomerField::Department => self.department = text(value),
            CustomerField::State => self.state = state(&value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_coerced_to_the_field_types() {
        let mut c = Customer::default();
        c.set(CustomerField::Code, json!(123));
        c.set(CustomerField::Sex, json!("2"));
        c.set(CustomerField::State, json!("Lead"));
        c.set(CustomerField::FirstName, json!(""));
        c.set(CustomerField::PrimaryEmail, json!({"nested": true}));
        assert_eq!(c, Customer { code: Some("123".into()), sex: Some(2), state: Some(CustomerState::Lead), ..Customer::default() });
        assert_eq!(serde_json::to_value(&c).ok(), Some(json!({"code": "123", "sex": 2, "state": "lead"})));
        c.set(CustomerField::State, json!("vip"));
        assert_eq!(c.state, None);
    }
}
