//! The model layer: every call to a language model goes through here. Drafting and the
//! fact check's model judgement ask [`Router::ask`]; it picks a model by the routing
//! policy in `[models]`, refuses cloud models for confidential text (one place:
//! `router::admit`), masks PII for cloud calls, retries and falls back, caches, prices
//! the call from a versioned price table and appends it to the audit chain.

mod anthropic;
mod cache;
pub mod config;
mod error;
mod http;
pub mod keys;
pub mod ledger;
mod openai;
pub mod pii;
pub mod prices;
pub mod provider;
mod router;
mod sse;
pub mod tokens;

pub use anthropic::Anthropic;
pub use cache::ResponseCache;
pub use config::{Locality, ModelsConfig, Preset, ProviderDef, Route, Task, Tier};
pub use error::{KeyError, ModelError, ModelResult, ProviderError};
pub use http::Timeouts;
pub use keys::{KeyMap, KeySource, Keychain, Secret};
pub use openai::OpenAiCompatible;
pub use prices::{Price, PriceTable};
pub use provider::{
    Cancel, ChatRequest, Completion, FinishReason, Message, Params, Provider, Role, Usage,
};
pub use router::{admit, Answer, Ask, Event, Plan, Router, Spend};
