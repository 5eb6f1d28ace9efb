//! The one way to call a model: plan a chain by the routing policy, then try it in order.
//!
//! [`admit`] is the single enforcement point for confidentiality: it runs right before
//! every provider call (routed, named, retried or fallen back to) and refuses a cloud
//! model for a confidential document, whatever the routes in `[models]` say.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use imprimatur_store::{NewModelCall, Store, Timestamp};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::anthropic::Anthropic;
use crate::cache::{self, ResponseCache};
use crate::config::{Locality, ModelsConfig, PiiPolicy, ProviderDef, Task, Wire};
use crate::error::{ModelError, ModelResult, ProviderError};
use crate::keys::KeySource;
use crate::ledger;
use crate::openai::OpenAiCompatible;
use crate::pii::{self, Masking};
use crate::prices::{format_money, Price, PriceTable};
use crate::provider::{
    Cancel, ChatRequest, Completion, FinishReason, Message, Params, Provider, Usage,
};

/// One call as the caller sees it: what to do, for which document, with which prompt.
#[derive(Debug, Clone)]
pub struct Ask {
    pub task: Task,
    pub messages: Vec<Message>,
    pub params: Params,
    /// From the document's front matter (`confidential: true`).
    pub confidential: bool,
    pub document: Option<String>,
    /// The prompt template's id and version, for the audit record.
    pub template: Option<(String, String)>,
    /// Ids of the retrieved knowledge chunks the prompt contains.
    pub sources: Vec<String>,
    pub user: String,
    /// Ask this model by name (`imprimatur model ask NAME`): routes are skipped, the
    /// confidentiality gate, PII policy and budget are not.
    pub model: Option<String>,
}

impl Ask {
    pub fn new(task: Task, messages: Vec<Message>, user: &str) -> Ask {
        Ask {
            task,
            messages,
            params: Params::default(),
            confidential: false,
            document: None,
            template: None,
            sources: Vec::new(),
            user: user.to_string(),
            model: None,
        }
    }
}

/// What the caller's stream callback receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// More answer text (PII already restored).
    Delta(&'a str),
    /// The text streamed so far is void: its model failed mid-answer and the next model
    /// starts again. A UI clears what it showed; nothing partial is ever kept.
    Discard { model: &'a str, reason: &'a str },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub text: String,
    /// The model's name in `[models.providers]`.
    pub model: String,
    pub preset: String,
    pub locality: String,
    pub usage: Usage,
    pub cost_micros: i64,
    pub currency: String,
    pub cached: bool,
    pub finish: FinishReason,
    pub latency_ms: u64,
    /// Why this model answered: the route, and every model skipped or failed on the way.
    pub decisions: Vec<String>,
    /// Kinds of personal data that were masked before the call.
    pub masked: Vec<&'static str>,
}

/// The chain for one call and the reasons behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub steps: Vec<String>,
    pub decisions: Vec<String>,
}

/// Spending so far, in millionths of the price table's currency.
#[derive(Debug, Clone, Copy, Default)]
pub struct Spend {
    pub month: i64,
    pub document: i64,
}

pub struct Router {
    config: ModelsConfig,
    keys: Arc<dyn KeySource>,
    prices: PriceTable,
    cache: Option<ResponseCache>,
    in_process: HashMap<String, Arc<dyn Provider>>,
    backoff: Duration,
}

/// Why the gate refused a model; recorded as a routing decision.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "refused {model}: the document is confidential and {model} is a cloud model ({preset} {url})"
)]
pub struct Refusal {
    pub model: String,
    pub preset: String,
    pub url: String,
}

/// THE confidentiality gate. Called immediately before every provider call.
pub fn admit(name: &str, def: &ProviderDef, ask: &Ask) -> Result<(), Refusal> {
    if ask.confidential && def.locality() == Locality::Cloud {
        return Err(Refusal {
            model: name.to_string(),
            preset: def.preset.to_string(),
            url: def.base_url().unwrap_or_default().to_string(),
        });
    }
    Ok(())
}

fn sha256(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn prompt_hash(messages: &[Message]) -> String {
    sha256(&serde_json::to_string(messages).expect("messages serialise"))
}

impl Router {
    pub fn new(config: ModelsConfig, keys: Arc<dyn KeySource>) -> Router {
        Router {
            config,
            keys,
            prices: PriceTable::current(),
            cache: None,
            in_process: HashMap::new(),
            backoff: Duration::from_millis(250),
        }
    }

    /// Keeps answers in the SQLite file at `path` (when `[models] cache` is on).
    pub fn with_cache(mut self, path: &Path) -> ModelResult<Router> {
        if self.config.cache {
            self.cache = Some(ResponseCache::open(path)?);
        }
        Ok(self)
    }

    /// Prices calls with `table` instead of the newest shipped one (tests, replays).
    pub fn with_prices(mut self, table: PriceTable) -> Router {
        self.prices = table;
        self
    }

    /// The first pause before retrying the same model (doubles each time) when the
    /// server gave no Retry-After.
    pub fn with_backoff(mut self, d: Duration) -> Router {
        self.backoff = d;
        self
    }

    /// Makes an in-process model (preset `embedded`) callable under `name`.
    pub fn register(&mut self, name: &str, provider: Arc<dyn Provider>) {
        self.in_process.insert(name.to_string(), provider);
    }

    pub fn config(&self) -> &ModelsConfig {
        &self.config
    }

    pub fn prices(&self) -> &PriceTable {
        &self.prices
    }

    /// The chain for `ask`: the named model, or the first matching route, or `default`;
    /// without dearer-than-allowed models, cloud models over budget or unpriced under a
    /// budget, and cloud models for PII under `pii = "local"`.
    pub fn plan(&self, ask: &Ask, has_pii: bool, spend: Spend) -> ModelResult<Plan> {
        let mut decisions = Vec::new();
        let (chain, max_tier) = if let Some(name) = &ask.model {
            self.config.provider(name)?;
            decisions.push(format!("model {name} asked by name"));
            (vec![name.clone()], None)
        } else {
            let hit = self.config.routes.iter().enumerate().find(|(_, r)| {
                r.task.is_none_or(|t| t == ask.task)
                    && r.confidential.is_none_or(|c| c == ask.confidential)
                    && r.pii.is_none_or(|p| p == has_pii)
            });
            match hit {
                Some((i, r)) => {
                    decisions.push(format!(
                        "route {} (task {}, confidential {}, pii {}): {}",
                        i + 1,
                        ask.task.as_str(),
                        ask.confidential,
                        has_pii,
                        r.chain.join(" → ")
                    ));
                    (r.chain.clone(), r.max_tier)
                }
                None if !self.config.default.is_empty() => {
                    decisions.push(format!(
                        "no route for task {}: default chain {}",
                        ask.task.as_str(),
                        self.config.default.join(" → ")
                    ));
                    (self.config.default.clone(), None)
                }
                None => {
                    return Err(ModelError::Config(format!(
                    "no route matches task {} (confidential {}) and there is no `default` chain",
                    ask.task.as_str(),
                    ask.confidential
                )))
                }
            }
        };
        let currency = &self.prices.currency;
        let mut steps = Vec::new();
        for name in chain {
            let def = self.config.provider(&name)?;
            let cloud = def.locality() == Locality::Cloud;
            if let Some(max) = max_tier {
                if def.tier() > max {
                    decisions.push(format!(
                        "skipped {name}: tier {} is above the route's max_tier {}",
                        def.tier().as_str(),
                        max.as_str()
                    ));
                    continue;
                }
            }
            if cloud && has_pii && self.config.pii == PiiPolicy::Local {
                decisions.push(format!(
                    "skipped {name}: the prompt contains personal data and pii = \"local\""
                ));
                continue;
            }
            if cloud {
                let budget = self.config.budget;
                let capped = budget.monthly.is_some() || budget.per_document.is_some();
                if capped && self.prices.price(def.preset, &def.model).is_none() {
                    decisions.push(format!(
                        "skipped {name}: price table {} has no price for {} {}, so the budget cannot be kept",
                        self.prices.version, def.preset, def.model
                    ));
                    continue;
                }
                if let Some(cap) = budget.monthly {
                    let cap = (cap * 1e6) as i64;
                    if spend.month >= cap {
                        decisions.push(format!(
                            "skipped {name}: the monthly budget of {} is spent ({} this month)",
                            format_money(cap, currency),
                            format_money(spend.month, currency)
                        ));
                        continue;
                    }
                }
                if let (Some(cap), Some(doc)) = (budget.per_document, &ask.document) {
                    let cap = (cap * 1e6) as i64;
                    if spend.document >= cap {
                        decisions.push(format!(
                            "skipped {name}: the budget of {} for document {doc} is spent ({})",
                            format_money(cap, currency),
                            format_money(spend.document, currency)
                        ));
                        continue;
                    }
                }
            }
            steps.push(name);
        }
        if steps.is_empty() && decisions.iter().any(|d| d.contains("budget")) {
            return Err(ModelError::Budget(format!(
                "{}. Raise [models.budget] in imprimatur.toml or use a local model",
                decisions.last().expect("a decision")
            )));
        }
        Ok(Plan { steps, decisions })
    }

    fn spend(&self, store: &Store, ask: &Ask, now: Timestamp) -> ModelResult<Spend> {
        let (from, to) = ledger::month_of(now);
        Ok(Spend {
            month: store.model_cloud_spend(from, to)?,
            document: match &ask.document {
                Some(d) => store.model_document_spend(d)?,
                None => 0,
            },
        })
    }

    fn connect(&self, name: &str, def: &ProviderDef) -> Result<Arc<dyn Provider>, ProviderError> {
        let key = match &def.key {
            Some(k) => Some(
                self.keys
                    .get(k)?
                    .ok_or_else(|| ProviderError::MissingKey { name: k.clone() })?,
            ),
            None => None,
        };
        let timeouts = def.timeouts(&self.config);
        let cloud = def.locality() == Locality::Cloud;
        let base = def.base_url().unwrap_or_default();
        Ok(match def.preset.wire() {
            Wire::InProcess => self.in_process.get(name).cloned().ok_or_else(|| {
                ProviderError::Local(format!(
                    "the embedded model {name} is not loaded (run `imprimatur models install-llm`)"
                ))
            })?,
            Wire::OpenAi => {
                let api_version = def.api_version.as_deref().unwrap_or("2024-10-21");
                Arc::new(OpenAiCompatible::new(
                    def.preset,
                    &base,
                    key,
                    Some((def.model.as_str(), api_version)),
                    timeouts,
                    cloud,
                ))
            }
            Wire::Anthropic => Arc::new(Anthropic::new(&base, key, timeouts, cloud)),
        })
    }

    fn endpoint(def: &ProviderDef) -> String {
        format!(
            "{}|{}|{}",
            def.preset,
            def.base_url().or(def.path.clone()).unwrap_or_default(),
            def.model
        )
    }

    /// Answers `ask`, streaming text to `on_event`, and records every attempt in the
    /// ledger and the audit chain of `store`.
    pub fn ask(
        &self,
        store: &mut Store,
        ask: &Ask,
        now: Timestamp,
        on_event: &mut dyn FnMut(Event<'_>),
        cancel: &Cancel,
    ) -> ModelResult<Answer> {
        let routing_started = Instant::now();
        let has_pii = ask
            .messages
            .iter()
            .any(|m| !pii::detect(&m.content).is_empty());
        let spend = self.spend(store, ask, now)?;
        let plan = match self.plan(ask, has_pii, spend) {
            Err(ModelError::Budget(why)) => {
                self.record_refusal(store, ask, std::slice::from_ref(&why), now)?;
                return Err(ModelError::Budget(why));
            }
            other => other?,
        };
        let mut decisions = plan.decisions;
        let mut failures = Vec::new();
        let routing_us = routing_started.elapsed().as_micros() as u64;
        for name in &plan.steps {
            let def = self.config.provider(name)?;
            if let Err(refusal) = admit(name, def, ask) {
                decisions.push(refusal.to_string());
                continue;
            }
            let cloud = def.locality() == Locality::Cloud;
            let mut masking = Masking::new();
            let messages: Vec<Message> = if cloud && has_pii && self.config.pii == PiiPolicy::Mask {
                ask.messages
                    .iter()
                    .map(|m| Message {
                        role: m.role,
                        content: masking.mask(&m.content),
                    })
                    .collect()
            } else {
                ask.messages.clone()
            };
            if !masking.is_empty() {
                decisions.push(format!(
                    "masked {} personal data value(s) ({}) for {name}",
                    masking.len(),
                    masking.kinds().join(", ")
                ));
            }
            let request = ChatRequest {
                model: def.model.clone(),
                messages,
                params: ask.params.clone(),
            };
            let price = self.prices.price(def.preset, &def.model);
            let ctx = CallContext {
                name,
                def,
                ask,
                request: &request,
                price,
                routing_us,
                masking: &masking,
            };
            let cache_key = cache::key(&Self::endpoint(def), &request);
            if let Some(c) = match &self.cache {
                Some(cache) => cache.get(&cache_key)?,
                None => None,
            } {
                let started = Instant::now();
                let text = masking.restore(&c.text);
                on_event(Event::Delta(&text));
                decisions.push(format!("{name} answered from the cache"));
                let answer =
                    self.record_ok(store, &ctx, &c, text, true, started, &decisions, now)?;
                return Ok(answer);
            }
            let provider = match self.connect(name, def) {
                Ok(p) => p,
                Err(e) => {
                    decisions.push(format!("skipped {name}: {e}"));
                    failures.push(format!("{name}: {e}"));
                    self.record_failure(store, &ctx, &e, Instant::now(), &decisions, now)?;
                    continue;
                }
            };
            let mut attempt = 0u32;
            loop {
                let started = Instant::now();
                let mut restore = masking.stream();
                let mut streamed = false;
                let result = provider.stream(
                    &request,
                    &mut |delta| {
                        let shown = restore.push(delta);
                        if !shown.is_empty() {
                            streamed = true;
                            on_event(Event::Delta(&shown));
                        }
                    },
                    cancel,
                );
                match result {
                    Ok(c) => {
                        let tail = restore.finish();
                        if !tail.is_empty() {
                            on_event(Event::Delta(&tail));
                        }
                        if let Some(cache) = &self.cache {
                            cache.put(&cache_key, &c, now.0)?;
                        }
                        let text = masking.restore(&c.text);
                        decisions.push(format!("{name} answered"));
                        return self
                            .record_ok(store, &ctx, &c, text, false, started, &decisions, now);
                    }
                    Err(e) => {
                        drop(restore);
                        let reason = e.to_string();
                        if streamed {
                            on_event(Event::Discard {
                                model: name,
                                reason: &reason,
                            });
                        }
                        self.record_failure(store, &ctx, &e, started, &decisions, now)?;
                        if matches!(e, ProviderError::Cancelled) {
                            return Err(e.into());
                        }
                        if e.retryable() && attempt < self.config.retries {
                            let wait = e.retry_after().unwrap_or(self.backoff * 2u32.pow(attempt));
                            let max = Duration::from_secs(self.config.max_retry_wait_secs);
                            if wait <= max {
                                attempt += 1;
                                decisions.push(format!(
                                    "{name} failed ({}); retry {attempt} after {} ms",
                                    e.kind(),
                                    wait.as_millis()
                                ));
                                if !cancel.sleep(wait) {
                                    return Err(ProviderError::Cancelled.into());
                                }
                                continue;
                            }
                            decisions.push(format!(
                                "{name} asks to wait {} s, more than max_retry_wait_secs = {}",
                                wait.as_secs(),
                                max.as_secs()
                            ));
                        }
                        failures.push(format!("{name}: {reason}"));
                        if e.falls_back() {
                            decisions.push(format!("{name} failed ({}): next model", e.kind()));
                            break;
                        }
                        return Err(e.into());
                    }
                }
            }
        }
        if failures.is_empty() {
            self.record_refusal(store, ask, &decisions, now)?;
            return Err(ModelError::Refused(format!(
                "no model may answer: {}",
                decisions.join("; ")
            )));
        }
        Err(ModelError::AllFailed { attempts: failures })
    }

    /// No model was called: the decisions that refused every one go on record.
    fn record_refusal(
        &self,
        store: &mut Store,
        ask: &Ask,
        decisions: &[String],
        now: Timestamp,
    ) -> ModelResult<()> {
        let subject = ask
            .document
            .as_deref()
            .or(ask.model.as_deref())
            .unwrap_or("models");
        store.record(
            &ask.user,
            "model.refused",
            subject,
            &json!({
                "task": ask.task.as_str(),
                "template": ask.template.as_ref().map(|(id, v)| json!({"id": id, "version": v})),
                "prompt_hash": prompt_hash(&ask.messages),
                "confidential": ask.confidential,
                "routing": decisions,
            }),
            now,
        )?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn record_ok(
        &self,
        store: &mut Store,
        ctx: &CallContext<'_>,
        c: &Completion,
        text: String,
        cached: bool,
        started: Instant,
        decisions: &[String],
        now: Timestamp,
    ) -> ModelResult<Answer> {
        let latency_ms = started.elapsed().as_millis() as u64;
        let price = ctx.price.unwrap_or(Price::FREE);
        let cost_micros = if cached {
            0
        } else {
            price.cost_micros(&c.usage)
        };
        self.record(
            store,
            ctx,
            "ok",
            cached,
            &c.usage,
            cost_micros,
            latency_ms,
            None,
            decisions,
            now,
        )?;
        Ok(Answer {
            text,
            model: ctx.name.to_string(),
            preset: ctx.def.preset.to_string(),
            locality: ctx.def.locality().as_str().to_string(),
            usage: c.usage,
            cost_micros,
            currency: self.prices.currency.clone(),
            cached,
            finish: c.finish,
            latency_ms,
            decisions: decisions.to_vec(),
            masked: ctx.masking.kinds(),
        })
    }

    fn record_failure(
        &self,
        store: &mut Store,
        ctx: &CallContext<'_>,
        e: &ProviderError,
        started: Instant,
        decisions: &[String],
        now: Timestamp,
    ) -> ModelResult<()> {
        let outcome = if matches!(e, ProviderError::Cancelled) {
            "cancelled"
        } else {
            "failed"
        };
        let latency_ms = started.elapsed().as_millis() as u64;
        self.record(
            store,
            ctx,
            outcome,
            false,
            &Usage::default(),
            0,
            latency_ms,
            Some(e),
            decisions,
            now,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        store: &mut Store,
        ctx: &CallContext<'_>,
        outcome: &str,
        cached: bool,
        usage: &Usage,
        cost_micros: i64,
        latency_ms: u64,
        error: Option<&ProviderError>,
        decisions: &[String],
        now: Timestamp,
    ) -> ModelResult<()> {
        let price = ctx.price.unwrap_or(Price::FREE);
        let mut details = json!({
            "template": ctx.ask.template.as_ref().map(|(id, v)| json!({"id": id, "version": v})),
            "prompt_hash": prompt_hash(&ctx.ask.messages),
            "params": ctx.request.params,
            "sources": ctx.ask.sources,
            "confidential": ctx.ask.confidential,
            "routing": decisions,
            "routing_us": ctx.routing_us,
            "priced": ctx.price.is_some(),
        });
        if !ctx.masking.is_empty() {
            details["sent_hash"] = json!(prompt_hash(&ctx.request.messages));
            details["masked"] = json!(ctx.masking.kinds());
        }
        if let Some(e) = error {
            details["error"] = json!({ "kind": e.kind(), "message": e.to_string() });
        }
        let call = NewModelCall {
            actor: &ctx.ask.user,
            document: ctx.ask.document.as_deref(),
            task: ctx.ask.task.as_str(),
            model: ctx.name,
            preset: ctx.def.preset.as_str(),
            provider_model: &ctx.def.model,
            locality: ctx.def.locality().as_str(),
            outcome,
            cached,
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
            tokens_estimated: usage.estimated,
            price_table: &self.prices.version,
            currency: &self.prices.currency,
            input_price: price.input,
            output_price: price.output,
            cost_micros,
            latency_ms,
            details,
        };
        store.record_model_call(&call, now)?;
        Ok(())
    }
}

struct CallContext<'a> {
    name: &'a str,
    def: &'a ProviderDef,
    ask: &'a Ask,
    request: &'a ChatRequest,
    price: Option<Price>,
    routing_us: u64,
    masking: &'a Masking,
}
