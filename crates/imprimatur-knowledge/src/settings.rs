//! The keys of `[knowledge]` in imprimatur.toml: where the index lives
//! ([`index_location`]) and which embedder makes its vectors ([`embedder_setting`]).
//!
//! ```toml
//! [knowledge]
//! embedder = "ollama"                  # local (default) | ollama | openai
//! embedder_url = "http://localhost:11434"
//! embedder_model = "nomic-embed-text"
//! query_prefix = "search_query: "      # optional, what the model was trained with
//! passage_prefix = "search_document: "
//! # embedder = "openai": embedder_url = "https://api.openai.com/v1" (the API root),
//! # embedder_key = "openai" (the key's name in the OS keychain, never the key)
//! ```

use serde::Deserialize;

use crate::remote::{Protocol, RemoteSetting};
use crate::KnowledgeError;

/// Every key `[knowledge]` may hold. imprimatur-workspace reads the section through
/// this when it loads imprimatur.toml, so any other key is an error naming the key, its
/// line and these keys: a typo such as `embeder` would otherwise fall back to the
/// default without a word. The values are checked by [`embedder_setting`] and
/// [`index_location`].
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeKeys {
    pub embedder: Option<toml::Value>,
    pub embedder_url: Option<toml::Value>,
    pub embedder_model: Option<toml::Value>,
    pub embedder_key: Option<toml::Value>,
    pub query_prefix: Option<toml::Value>,
    pub passage_prefix: Option<toml::Value>,
    pub index: Option<toml::Value>,
    pub qdrant_url: Option<toml::Value>,
    pub collection: Option<toml::Value>,
    pub api_key_env: Option<toml::Value>,
}

/// Which embedder makes the index's vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbedderSetting {
    /// multilingual-e5-small in-process (default).
    Local,
    Remote(RemoteSetting),
}

impl EmbedderSetting {
    /// What the index records (see [`crate::KnowledgeBase::open_for`]).
    pub fn identity(&self) -> String {
        match self {
            EmbedderSetting::Local => crate::LOCAL_EMBEDDER.to_string(),
            EmbedderSetting::Remote(r) => r.identity(),
        }
    }
}

fn string_key(table: &toml::Table, key: &str) -> Result<Option<String>, KnowledgeError> {
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
}

/// The embedder keys of `[knowledge]`.
pub fn embedder_setting(section: Option<&toml::Table>) -> Result<EmbedderSetting, KnowledgeError> {
    let Some(table) = section else {
        return Ok(EmbedderSetting::Local);
    };
    let text = |key: &str| string_key(table, key);
    let protocol = match text("embedder")?.as_deref() {
        None | Some("local") => return Ok(EmbedderSetting::Local),
        Some("ollama") => Protocol::Ollama,
        Some("openai") => Protocol::OpenAi,
        Some(other) => {
            return Err(KnowledgeError::Settings {
                detail: format!(
                    "[knowledge] embedder = {other:?}: use \"local\", \"ollama\" or \"openai\""
                ),
            })
        }
    };
    let url = match (text("embedder_url")?, protocol) {
        (Some(url), _) => url,
        (None, Protocol::Ollama) => "http://localhost:11434".to_string(),
        (None, Protocol::OpenAi) => "https://api.openai.com/v1".to_string(),
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(KnowledgeError::Settings {
            detail: format!(
                "[knowledge] embedder_url = {url:?} must start with http:// or https://"
            ),
        });
    }
    let model = text("embedder_model")?.ok_or_else(|| KnowledgeError::Settings {
        detail: "[knowledge] embedder = \"ollama\" or \"openai\" needs embedder_model (e.g. \"nomic-embed-text\" or \"text-embedding-3-small\")".into(),
    })?;
    let key = text("embedder_key")?;
    if key.is_some() && protocol == Protocol::Ollama {
        return Err(KnowledgeError::Settings {
            detail: "[knowledge] embedder_key is for embedder = \"openai\"; Ollama takes no key"
                .into(),
        });
    }
    if let Some(name) = &key {
        imprimatur_model::keys::check_name(name).map_err(|e| KnowledgeError::Settings {
            detail: format!("[knowledge] embedder_key: {e}"),
        })?;
    }
    Ok(EmbedderSetting::Remote(RemoteSetting {
        protocol,
        url,
        model,
        key,
        query_prefix: text("query_prefix")?.unwrap_or_default(),
        passage_prefix: text("passage_prefix")?.unwrap_or_default(),
    }))
}

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
    let text = |key: &str| string_key(table, key);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the readers above understand is accepted; anything else is refused
    /// with the list of keys.
    #[test]
    fn known_keys_pass_and_an_unknown_one_lists_the_valid_keys() {
        let all = "embedder = \"ollama\"\nembedder_url = \"http://x\"\nembedder_model = \"m\"\n\
                   embedder_key = \"k\"\nquery_prefix = \"q\"\npassage_prefix = \"p\"\n\
                   index = \"qdrant\"\nqdrant_url = \"http://y\"\ncollection = \"c\"\n\
                   api_key_env = \"E\"\n";
        let keys: KnowledgeKeys = toml::from_str(all).unwrap();
        assert_eq!(keys.collection, Some(toml::Value::String("c".into())));
        let table: toml::Table = toml::from_str(all).unwrap();
        assert_eq!(
            table.len(),
            10,
            "a key was added to the test but not to KnowledgeKeys"
        );
        let err = toml::from_str::<KnowledgeKeys>("embeder = \"ollama\"\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("embeder"), "{msg}");
        for key in ["embedder", "qdrant_url", "api_key_env", "passage_prefix"] {
            assert!(msg.contains(key), "{msg}");
        }
    }
}
