//! Newtype ids and time, so a document id can never be passed where a revision id belongs.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! id_type {
    ($name:ident, $prefix:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS,
        )]
        pub struct $name(String);

        impl $name {
            /// A new random id (UUID v4). Random rather than time-ordered so that a short
            /// prefix, as people type it on the command line, is already unique.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, uuid::Uuid::new_v4().simple()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Wraps an id read from storage or typed by a user; lookups validate it.
            pub fn from_string(s: impl Into<String>) -> Self {
                Self(s.into())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                String::column_result(v).map(Self)
            }
        }
    };
}

id_type!(
    DocumentId,
    "d",
    "Identifies a document across laptops and bundles."
);
id_type!(RevisionId, "r", "Identifies one immutable revision.");

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
pub struct Timestamp(#[ts(type = "number")] pub i64);

impl Timestamp {
    /// The system clock. Only the outer layers (CLI, app) call this; the core takes time as input.
    pub fn now() -> Self {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(d.as_millis() as i64)
    }
}

/// The single id a prefix matched, or why there is not exactly one.
pub(crate) fn the_one<T>(
    ids: Vec<T>,
    prefix: &str,
    what: &'static str,
    not_found: impl FnOnce() -> crate::StoreError,
) -> crate::StoreResult<T> {
    let count = ids.len();
    let mut ids = ids.into_iter();
    match (ids.next(), count) {
        (None, _) => Err(not_found()),
        (Some(id), 1) => Ok(id),
        _ => Err(crate::StoreError::AmbiguousId {
            prefix: prefix.to_string(),
            count,
            what,
        }),
    }
}
