//! The index keys of `[knowledge]` in imprimatur.toml: where the index lives. Other keys
//! of the section (embedder, ingestion) belong to their readers.

use crate::KnowledgeError;

/// Where the index lives, from `[knowledge]` in imprimatur.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexLocation {
    /// The workspace's own index in `.imprimatur/knowledge/` (default).
    Embedded,
    Server {
        url: String,
        collection: String,
        /// Name of the environment variable holding the API key, if any.
        api_key_env: Option<String>,
    },
}

/// The index keys of `[knowledge]`; other keys of the section belong to ingestion and
/// the embedder and are left to them.
pub fn index_location(section: Option<&toml::Table>) -> Result<IndexLocation, KnowledgeError> {
    let Some(table) = section else {
        return Ok(IndexLocation::Embedded);
    };
    let text = |key: &str| -> Result<Option<String>, KnowledgeError> {
        match table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(KnowledgeError::Settings {
                detail: format!(
                    "[knowledge] {key} must be a string, not {}",
                    other.type_str()
                ),
            }),
        }
    };
    match text("index")?.as_deref() {
        None | Some("embedded") => Ok(IndexLocation::Embedded),
        Some("qdrant") => Ok(IndexLocation::Server {
            url: text("qdrant_url")?.ok_or_else(|| KnowledgeError::Settings {
                detail: "[knowledge] index = \"qdrant\" needs qdrant_url (e.g. \"http://localhost:6334\")".into(),
            })?,
            collection: text("collection")?.unwrap_or_else(|| "imprimatur-knowledge".into()),
            api_key_env: text("api_key_env")?,
        }),
        Some(other) => Err(KnowledgeError::Settings {
            detail: format!("[knowledge] index = {other:?}: use \"embedded\" or \"qdrant\""),
        }),
    }
}
