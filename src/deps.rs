//! Measurement only: the design's serde packages built into the place they
//! would go, behind the `dep-serde` and `dep-serde-wasm-bindgen` features
//! that `npm run deps` (scripts/deps.mjs) builds to weigh them. No shipped
//! build enables them; README "Dependencies" has the figures and why each
//! stays out.

use alloc::string::String;
#[cfg(feature = "dep-serde")]
use alloc::{string::ToString, vec::Vec};

use crate::consent::Record;

/// The record in the shape of the public `ConsentRecord` type, derived
/// instead of written by hand (`Record::to_json`).
#[derive(serde::Serialize)]
pub struct RecordOut<'a> {
    pub id: &'a str,
    pub revision: u32,
    pub given: String,
    pub updated: String,
    pub method: &'static str,
    pub categories: Categories<'a>,
}

/// The choices as one object of category id to boolean, in config order.
pub struct Categories<'a>(&'a [(String, bool)]);

impl serde::Serialize for Categories<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (id, on) in self.0 {
            m.serialize_entry(id, on)?;
        }
        m.end()
    }
}

impl<'a> RecordOut<'a> {
    pub fn of(r: &'a Record) -> Self {
        RecordOut {
            id: &r.id,
            revision: r.revision,
            given: crate::time::iso8601(r.given),
            updated: crate::time::iso8601(r.updated),
            method: r.method.as_str(),
            categories: Categories(&r.choices),
        }
    }
}

/// `Record::to_json` through serde_json.
#[cfg(feature = "dep-serde")]
pub fn record_json(r: &Record) -> String {
    serde_json::to_string(&RecordOut::of(r)).unwrap_or_default()
}

/// `json::parse` through serde_json: its reader instead of the hand one.
/// (serde_json without std keeps objects in a BTreeMap: key order and
/// duplicate keys are lost, which the hand reader keeps and refuses.)
#[cfg(feature = "dep-serde")]
pub fn parse(text: &str) -> Result<crate::json::Value, crate::error::Error> {
    use crate::json::Value;
    fn conv(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Num(n.to_string()),
            serde_json::Value::String(s) => Value::Str(s),
            serde_json::Value::Array(xs) => Value::List(xs.into_iter().map(conv).collect()),
            serde_json::Value::Object(m) => {
                Value::Map(m.into_iter().map(|(k, v)| (k, conv(v))).collect::<Vec<_>>())
            }
        }
    }
    serde_json::from_str::<serde_json::Value>(text)
        .map(conv)
        .map_err(|e| crate::error::Error::new("", "is not valid JSON").with_value(e.to_string()))
}
