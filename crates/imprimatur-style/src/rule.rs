//! One rule compiled from its YAML: kind, level, scopes and a matcher, plus how it runs
//! over one piece of text. Semantics follow Vale's checks (internal/check/*.go).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use crate::error::{io, StyleError};
use crate::metric::{self, Expr};
use crate::pattern::{prefilter_source, with_case, word_template, Pattern};
use crate::spec::{self, RuleSpec, When};
use crate::Level;

/// Vale's rule kinds, plus Imprimatur's `terminology`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Existence,
    Substitution,
    Occurrence,
    Repetition,
    Consistency,
    Conditional,
    Capitalization,
    Metric,
    Spelling,
    Terminology,
}

const KNOWN_KINDS: &str = "existence, substitution, occurrence, repetition, consistency, conditional, capitalization, metric, spelling, terminology (Imprimatur), sequence and script (loaded with a warning, not run)";

impl RuleKind {
    fn parse(s: &str) -> Option<RuleKind> {
        Some(match s {
            "existence" => RuleKind::Existence,
            "substitution" => RuleKind::Substitution,
            "occurrence" => RuleKind::Occurrence,
            "repetition" => RuleKind::Repetition,
            "consistency" => RuleKind::Consistency,
            "conditional" => RuleKind::Conditional,
            "capitalization" => RuleKind::Capitalization,
            "metric" => RuleKind::Metric,
            "spelling" => RuleKind::Spelling,
            "terminology" => RuleKind::Terminology,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Existence => "existence",
            RuleKind::Substitution => "substitution",
            RuleKind::Occurrence => "occurrence",
            RuleKind::Repetition => "repetition",
            RuleKind::Consistency => "consistency",
            RuleKind::Conditional => "conditional",
            RuleKind::Capitalization => "capitalization",
            RuleKind::Metric => "metric",
            RuleKind::Spelling => "spelling",
            RuleKind::Terminology => "terminology",
        }
    }

    fn default_scope(self) -> Scope {
        match self {
            RuleKind::Occurrence | RuleKind::Repetition => Scope::Text,
            RuleKind::Metric => Scope::Summary,
            RuleKind::Capitalization => Scope::Heading(None),
            _ => Scope::Text,
        }
    }
}

/// Which part of a Markdown document a rule sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    /// All prose, one block at a time.
    Text,
    /// The whole document's prose at once (conditional, consistency, metric).
    Summary,
    Heading(Option<u8>),
    Paragraph,
    List,
    Blockquote,
    Table,
    Sentence,
    /// The source as written, markup and code included.
    Raw,
    /// Parts the prose does not carry (alt text, code, links, emphasis): nothing to check.
    Elsewhere,
}

const KNOWN_SCOPES: &str = "text, summary, heading, heading.h1 … heading.h6, title, paragraph, list, blockquote, table, table.header, table.cell, sentence, raw, and (no text checked yet) alt, code, link, strong, emphasis, comment";

fn parse_scope(s: &str) -> Option<Scope> {
    Some(match s.trim() {
        "text" | "" => Scope::Text,
        "summary" => Scope::Summary,
        "heading" => Scope::Heading(None),
        "title" => Scope::Heading(Some(1)),
        "paragraph" => Scope::Paragraph,
        "list" => Scope::List,
        "blockquote" => Scope::Blockquote,
        "table" | "table.header" | "table.cell" | "table.caption" => Scope::Table,
        "sentence" => Scope::Sentence,
        "raw" => Scope::Raw,
        "alt" | "code" | "link" | "strong" | "emphasis" | "comment" | "attr" => Scope::Elsewhere,
        h => {
            let level = h.strip_prefix("heading.h")?.parse::<u8>().ok()?;
            if !(1..=6).contains(&level) {
                return None;
            }
            Scope::Heading(Some(level))
        }
    })
}

/// A rule ready to run.
#[derive(Debug, Clone)]
pub struct Rule {
    pub pack: String,
    pub name: String,
    /// `Pack.Rule`, the finding code.
    pub code: String,
    pub kind: RuleKind,
    pub level: Level,
    pub file: PathBuf,
    pub link: String,
    pub message: String,
    pub(crate) scopes: Vec<Scope>,
    pub(crate) when: Option<When>,
    /// Whether accepted vocabulary terms are exempt (Vale's `vocab`, default true).
    pub(crate) vocab: bool,
    pub(crate) matcher: Matcher,
}

impl Rule {
    /// The condition from `when:`, e.g. `address=du`, for listings.
    pub fn condition(&self) -> Option<String> {
        let w = self.when.as_ref()?;
        let mut parts = Vec::new();
        if let Some(a) = &w.address {
            parts.push(format!("address={a}"));
        }
        if let Some(g) = &w.gender {
            parts.push(format!("gender={g}"));
        }
        Some(parts.join(","))
    }

    /// The source of this rule's part of the combined prefilter, when it has one: a
    /// pattern that matches wherever the rule can match.
    pub(crate) fn prefilter(&self) -> Option<String> {
        match &self.matcher {
            Matcher::Existence { source, .. }
            | Matcher::Substitution { source, .. }
            | Matcher::Terminology { source, .. } => prefilter_source(source),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Matcher {
    Existence {
        source: String,
        re: Pattern,
        exceptions: Option<Pattern>,
    },
    Substitution {
        source: String,
        re: Pattern,
        /// For each swap key: its wrapping group, how many groups it has inside, and its replacement.
        keys: Vec<(usize, usize, String)>,
        ignorecase: bool,
        exceptions: Option<Pattern>,
    },
    Occurrence {
        re: Pattern,
        max: usize,
        min: usize,
    },
    Repetition {
        re: Pattern,
        alpha: bool,
        ignorecase: bool,
        max: usize,
    },
    Consistency {
        pairs: Vec<Pattern>,
    },
    Conditional {
        first: Pattern,
        second: Pattern,
        exceptions: HashSet<String>,
    },
    Capitalization {
        style: CapitalStyle,
        exceptions: HashSet<String>,
        indicators: Vec<String>,
        threshold: f64,
    },
    Metric {
        formula: Expr,
        op: String,
        limit: f64,
    },
    Spelling {
        dictionaries: Vec<Arc<spellbook::Dictionary>>,
        filters: Vec<Pattern>,
        ignored: HashSet<String>,
        /// Per word, whether the rule lets it pass before vocabulary (which is the
        /// engine's): dictionary look-ups of German compounds cost microseconds, and a
        /// document re-checked while typing holds mostly the same words.
        verdicts: Arc<WordVerdicts>,
    },
    Terminology {
        source: String,
        re: Pattern,
        /// For each term group: the preferred form.
        preferred: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum CapitalStyle {
    Title,
    Sentence,
    Lower,
    Upper,
    Pattern(Box<Pattern>),
}

/// A rule's hit inside one piece of text (offsets relative to that text).
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub range: Range<usize>,
    pub message: String,
    pub matched: String,
    pub replacement: Option<String>,
}

/// Vale's message formatting: each `%s` takes the next argument.
pub(crate) fn format_message(message: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(message.len() + 16);
    let mut args = args.iter();
    let mut rest = message;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('s') {
            out.push_str(args.next().copied().unwrap_or(""));
            rest = r;
        } else if let Some(r) = after.strip_prefix('%') {
            out.push('%');
            rest = r;
        } else {
            out.push('%');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// A pack: a folder of rule files, and the rules that load with a warning only.
#[derive(Debug, Clone, Default)]
pub struct Pack {
    pub name: String,
    pub dir: PathBuf,
    pub rules: Vec<Rule>,
    /// E.g. a `sequence` rule, which needs a part-of-speech tagger and is not run.
    pub warnings: Vec<String>,
}

/// Loads every `*.yml` / `*.yaml` in `dir` as a rule of pack `name`, sorted by file name.
pub fn load_pack(dir: &Path, name: &str) -> Result<Pack, StyleError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    let mut pack = Pack {
        name: name.to_string(),
        dir: dir.to_path_buf(),
        ..Pack::default()
    };
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(io(&file))?;
        let rule_name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match compile_rule(name, &rule_name, &file, &text)? {
            Ok(rule) => pack.rules.push(rule),
            Err(not_run) => pack.warnings.push(not_run.warning),
        }
    }
    Ok(pack)
}

/// Checks one rule's YAML text as the rule editor would save it: `Ok` with what it is,
/// or the error with its line (YAML) or the rule's name (pattern, kind).
pub fn validate_rule(pack: &str, name: &str, text: &str) -> Result<Option<Rule>, StyleError> {
    let file = PathBuf::from(format!("{pack}/{name}.yml"));
    compile_rule(pack, name, &file, text).map(Result::ok)
}

/// A rule that loads but does not run (`sequence`, `script`): the pack still loads, and
/// the warning says which rule is left out and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{warning}")]
pub struct NotRun {
    pub warning: String,
}

/// Compiles one rule. The outer error is a broken rule; the inner `Err` is a rule that
/// loads but does not run (`sequence`, `script`), with the warning to show.
pub fn compile_rule(
    pack: &str,
    name: &str,
    file: &Path,
    text: &str,
) -> Result<Result<Rule, NotRun>, StyleError> {
    let spec = spec::parse(file, text)?;
    compile_spec(pack, name, file, spec)
}

pub(crate) fn compile_spec(
    pack: &str,
    name: &str,
    file: &Path,
    spec: RuleSpec,
) -> Result<Result<Rule, NotRun>, StyleError> {
    let code = format!("{pack}.{name}");
    let invalid = |message: String| StyleError::InvalidRule {
        file: file.to_path_buf(),
        rule: code.clone(),
        message,
    };
    let kind_name = spec
        .extends
        .clone()
        .ok_or_else(|| invalid(format!("`extends` is missing; known kinds: {KNOWN_KINDS}")))?;
    let kind_name = kind_name.trim().to_ascii_lowercase();
    if kind_name == "sequence" || kind_name == "script" {
        return Ok(Err(NotRun {
            warning: format!(
                "{code} ({}) uses `extends: {kind_name}`, which Imprimatur does not run yet; the rest of the pack runs",
                file.display()
            ),
        }));
    }
    let kind = RuleKind::parse(&kind_name).ok_or_else(|| StyleError::UnknownKind {
        file: file.to_path_buf(),
        rule: code.clone(),
        kind: kind_name.clone(),
        known: KNOWN_KINDS.to_string(),
    })?;
    let level = match &spec.level {
        None => Level::Suggestion,
        Some(l) => Level::parse(l).ok_or_else(|| {
            invalid(format!(
                "`level: {l}` is not a level; use suggestion, warning or error"
            ))
        })?,
    };
    let mut scopes = Vec::new();
    for s in &spec.scope {
        // Vale allows a negated scope (`~heading`); treat it as everything, the common use.
        let s = s.trim();
        if s.starts_with('~') {
            scopes.push(Scope::Text);
            continue;
        }
        scopes.push(parse_scope(s).ok_or_else(|| {
            invalid(format!("unknown scope `{s}`; known scopes: {KNOWN_SCOPES}"))
        })?);
    }
    if scopes.is_empty() {
        scopes.push(kind.default_scope());
    }
    let compile = |source: &str| {
        Pattern::new(source).map_err(|e| StyleError::Regex {
            file: file.to_path_buf(),
            rule: code.clone(),
            pattern: source.to_string(),
            message: e.to_string(),
        })
    };
    let exceptions = |spec: &RuleSpec| -> Result<Option<Pattern>, StyleError> {
        if spec.exceptions.is_empty() {
            return Ok(None);
        }
        let src = with_case(
            &format!("^(?:{})$", spec.exceptions.join("|")),
            spec.ignorecase,
        );
        compile(&src).map(Some)
    };
    let matcher = match kind {
        RuleKind::Existence => {
            if spec.tokens.is_empty() && spec.raw.is_empty() {
                return Err(invalid("an existence rule needs `tokens` or `raw`".into()));
            }
            // Vale's makeRegexp: `raw` goes before the tokens unless `append` is set.
            let tokens = if spec.tokens.is_empty() {
                String::new()
            } else {
                word_template(&spec.tokens.join("|"), false, spec.nonword)
            };
            let raw = spec.raw.join("");
            let source = if spec.append {
                format!("{tokens}{raw}")
            } else {
                format!("{raw}{tokens}")
            };
            let source = with_case(&source, spec.ignorecase);
            Matcher::Existence {
                re: compile(&source)?,
                source,
                exceptions: exceptions(&spec)?,
            }
        }
        RuleKind::Substitution => {
            if spec.swap.is_empty() {
                return Err(invalid("a substitution rule needs `swap`".into()));
            }
            // Longer keys first, so "Luft-Wasser Wärmepumpe" wins over "Wärmepumpe".
            let mut swap = spec.swap.clone();
            swap.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
            let mut keys = Vec::new();
            let mut alternatives = Vec::new();
            let mut group = 1;
            for (k, v) in &swap {
                // Check each key alone, so the error names the key that is broken.
                compile(k)?;
                let inner = count_groups(k);
                keys.push((group, inner, v.clone()));
                alternatives.push(format!("({k})"));
                group += 1 + inner;
            }
            let source = word_template(&alternatives.join("|"), spec.ignorecase, spec.nonword);
            Matcher::Substitution {
                re: compile(&source)?,
                source,
                keys,
                ignorecase: spec.ignorecase,
                exceptions: exceptions(&spec)?,
            }
        }
        RuleKind::Occurrence => {
            if spec.token.is_empty() || (spec.max == 0 && spec.min == 0) {
                return Err(invalid(
                    "an occurrence rule needs `token` and `max` or `min`".into(),
                ));
            }
            Matcher::Occurrence {
                re: compile(&with_case(&spec.token, spec.ignorecase))?,
                max: spec.max,
                min: spec.min,
            }
        }
        RuleKind::Repetition => {
            if spec.tokens.is_empty() {
                return Err(invalid("a repetition rule needs `tokens`".into()));
            }
            let source = with_case(&format!("(?:{})", spec.tokens.join("|")), spec.ignorecase);
            Matcher::Repetition {
                re: compile(&source)?,
                alpha: spec.alpha,
                ignorecase: spec.ignorecase,
                max: spec.max,
            }
        }
        RuleKind::Consistency => {
            if spec.either.is_empty() {
                return Err(invalid("a consistency rule needs `either`".into()));
            }
            let mut pairs = Vec::new();
            for (a, b) in &spec.either {
                let source = word_template(&format!("({a})|({b})"), spec.ignorecase, spec.nonword);
                pairs.push(compile(&source)?);
            }
            Matcher::Consistency { pairs }
        }
        RuleKind::Conditional => {
            if spec.first.is_empty() || spec.second.is_empty() {
                return Err(invalid(
                    "a conditional rule needs `first` and `second`".into(),
                ));
            }
            Matcher::Conditional {
                first: compile(&with_case(&spec.first, spec.ignorecase))?,
                second: compile(&with_case(&spec.second, spec.ignorecase))?,
                exceptions: spec.exceptions.iter().cloned().collect(),
            }
        }
        RuleKind::Capitalization => {
            let style = match spec.match_.as_str() {
                "$title" => CapitalStyle::Title,
                "$sentence" => CapitalStyle::Sentence,
                "$lower" => CapitalStyle::Lower,
                "$upper" => CapitalStyle::Upper,
                "" => return Err(invalid("a capitalization rule needs `match`".into())),
                other => CapitalStyle::Pattern(Box::new(compile(other)?)),
            };
            Matcher::Capitalization {
                style,
                exceptions: spec.exceptions.iter().cloned().collect(),
                indicators: spec.indicators.clone(),
                threshold: spec.threshold.unwrap_or(0.8),
            }
        }
        RuleKind::Metric => {
            let formula = metric::parse(&spec.formula).map_err(|e| invalid(e.0))?;
            let (op, limit) = metric::parse_condition(&spec.condition).map_err(|e| invalid(e.0))?;
            Matcher::Metric { formula, op, limit }
        }
        RuleKind::Spelling => {
            let names = if spec.dictionaries.is_empty() {
                vec!["en_US".to_string()]
            } else {
                spec.dictionaries.clone()
            };
            let base = file.parent().unwrap_or(Path::new("."));
            let mut dictionaries = Vec::new();
            for n in &names {
                dictionaries.push(dictionary(base, &spec.dicpath, n)?);
            }
            let mut filters = Vec::new();
            for f in &spec.filters {
                filters.push(compile(f)?);
            }
            let mut ignored = HashSet::new();
            for i in &spec.ignore {
                let path = base.join(i);
                let words = std::fs::read_to_string(&path).map_err(io(&path))?;
                ignored.extend(
                    words
                        .lines()
                        .map(str::trim)
                        .filter(|w| !w.is_empty())
                        .map(String::from),
                );
            }
            Matcher::Spelling {
                dictionaries,
                filters,
                ignored,
                verdicts: Arc::default(),
            }
        }
        RuleKind::Terminology => {
            if spec.terms.is_empty() {
                return Err(invalid(
                    "a terminology rule needs `terms` (preferred term: [forbidden variants])"
                        .into(),
                ));
            }
            let mut alternatives = Vec::new();
            let mut preferred = Vec::new();
            for (good, bad) in &spec.terms {
                for b in bad {
                    alternatives.push(format!("({})", term_pattern(b)));
                    preferred.push(good.clone());
                }
            }
            // Only the variants themselves: prefix compounds (Erd-, Luft-Wasser-) and
            // inflection or suffix compounds (-n, -anlage) are read off the word around a
            // hit, which keeps the pattern literal-led and fast.
            let source = alternatives.join("|");
            Matcher::Terminology {
                re: compile(&source)?,
                source,
                preferred,
            }
        }
    };
    Ok(Ok(Rule {
        pack: pack.to_string(),
        name: name.to_string(),
        code,
        kind,
        level,
        file: file.to_path_buf(),
        link: spec.link.clone(),
        message: spec.message.clone(),
        scopes,
        when: spec.when.clone(),
        vocab: spec.vocab.unwrap_or(true),
        matcher,
    }))
}

/// A forbidden term as a pattern: its parts (split at hyphens and spaces) may be joined
/// closed, by a hyphen or by a space, and each part's first letter may change case
/// (Wärme-Pumpe, Wärmepumpe, Erdwärme-Pumpe).
fn term_pattern(term: &str) -> String {
    let parts: Vec<String> = term
        .split(['-', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            let first = chars.next().unwrap_or(' ');
            let rest: String = chars.collect();
            let (lo, up): (String, String) = (
                first.to_lowercase().collect(),
                first.to_uppercase().collect(),
            );
            let first = if lo == up {
                regex::escape(&lo)
            } else {
                format!("[{}{}]", regex::escape(&up), regex::escape(&lo))
            };
            format!("{first}{}", regex::escape(&rest))
        })
        .collect();
    parts.join("[- ]?")
}

/// The number of capturing groups in a pattern (for mapping swap keys to groups).
fn count_groups(pattern: &str) -> usize {
    regex::Regex::new(pattern)
        .map(|r| r.captures_len() - 1)
        .unwrap_or_else(|_| fancy_count_groups(pattern))
}

fn fancy_count_groups(pattern: &str) -> usize {
    fancy_regex::Regex::new(pattern)
        .map(|r| r.captures_len() - 1)
        .unwrap_or(0)
}

static DICTIONARIES: OnceLock<Mutex<HashMap<PathBuf, Arc<spellbook::Dictionary>>>> =
    OnceLock::new();

/// Finds and loads `name.aff`/`name.dic`: next to the rule (`dicpath`), in the styles
/// folder's `config/dictionaries`, then in the system's Hunspell folder. Loaded once per process.
fn dictionary(
    base: &Path,
    dicpath: &str,
    name: &str,
) -> Result<Arc<spellbook::Dictionary>, StyleError> {
    let mut candidates = Vec::new();
    if !dicpath.is_empty() {
        candidates.push(base.join(dicpath));
    }
    candidates.push(base.join("../config/dictionaries"));
    candidates.push(PathBuf::from("/usr/share/hunspell"));
    let dir = candidates
        .iter()
        .find(|d| d.join(format!("{name}.dic")).is_file())
        .cloned()
        .ok_or_else(|| StyleError::Dictionary {
            path: PathBuf::from(format!("/usr/share/hunspell/{name}.dic")),
            message: "not found".into(),
        })?;
    let dic_path = dir.join(format!("{name}.dic"));
    let cache = DICTIONARIES.get_or_init(Default::default);
    if let Some(d) = cache.lock().ok().and_then(|c| c.get(&dic_path).cloned()) {
        return Ok(d);
    }
    let aff_path = dir.join(format!("{name}.aff"));
    let read = |p: &Path| {
        std::fs::read(p)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(io(p))
    };
    let dict = spellbook::Dictionary::new(&read(&aff_path)?, &read(&dic_path)?).map_err(|e| {
        StyleError::Dictionary {
            path: dic_path.clone(),
            message: e.to_string(),
        }
    })?;
    let dict = Arc::new(dict);
    if let Ok(mut c) = cache.lock() {
        c.insert(dic_path, dict.clone());
    }
    Ok(dict)
}

/// What a rule sees of a document: accepted vocabulary for exemptions.
/// Token matches by (pattern source, text address, text length).
pub(crate) type TokenMemo = HashMap<(String, usize, usize), Rc<Vec<Range<usize>>>>;

pub(crate) struct Context<'a> {
    pub accepted: Option<&'a Pattern>,
    /// Token matches per (pattern, piece of text) within one check: packs often count
    /// the same tokens over the same scope (two sentence-length rules, say).
    pub tokens: std::cell::RefCell<TokenMemo>,
}

impl<'a> Context<'a> {
    pub fn new(accepted: Option<&'a Pattern>) -> Context<'a> {
        Context {
            accepted,
            tokens: Default::default(),
        }
    }

    /// `re`'s matches in `text`, from the memo when the same pattern already ran over
    /// the same slice of the document in this check.
    fn find_all(&self, re: &Pattern, text: &str) -> Rc<Vec<Range<usize>>> {
        let key = (re.as_str().to_string(), text.as_ptr() as usize, text.len());
        if let Some(found) = self.tokens.borrow().get(&key) {
            return found.clone();
        }
        let found = Rc::new(re.find_all(text));
        self.tokens.borrow_mut().insert(key, found.clone());
        found
    }
}

impl Rule {
    /// Runs this rule over one piece of text. Matches that run across a block boundary
    /// (the blank line between blocks in the prose) are dropped.
    pub(crate) fn run(&self, text: &str, ctx: &Context) -> Vec<Hit> {
        let accepted = |observed: &str| {
            self.vocab && ctx.accepted.is_some_and(|a| a.is_match(observed.trim()))
        };
        let mut hits = Vec::new();
        match &self.matcher {
            Matcher::Existence { re, exceptions, .. } => {
                for r in re
                    .captures_in_blocks(text)
                    .into_iter()
                    .filter_map(|c| c[0].clone())
                {
                    let observed = &text[r.clone()];
                    if r.is_empty()
                        || observed.contains("\n\n")
                        || exceptions
                            .as_ref()
                            .is_some_and(|e| e.is_match(observed.trim()))
                        || accepted(observed)
                    {
                        continue;
                    }
                    hits.push(Hit {
                        // Vale reports the match with white space runs collapsed.
                        message: format_message(&self.message, &[&collapse_space(observed)]),
                        matched: observed.to_string(),
                        range: r,
                        replacement: None,
                    });
                }
            }
            Matcher::Substitution {
                re,
                keys,
                ignorecase,
                exceptions,
                ..
            } => {
                for caps in re.captures_in_blocks(text) {
                    let Some((group, inner, replacement)) = keys
                        .iter()
                        .find(|(g, _, _)| caps.get(*g).is_some_and(Option::is_some))
                    else {
                        continue;
                    };
                    let Some(Some(r)) = caps.get(*group).cloned() else {
                        continue;
                    };
                    let observed = &text[r.clone()];
                    if r.is_empty()
                        || observed.contains("\n\n")
                        || exceptions
                            .as_ref()
                            .is_some_and(|e| e.is_match(observed.trim()))
                        || accepted(observed)
                    {
                        continue;
                    }
                    let mut expected = expand(replacement, &caps[group + 1..=group + inner], text);
                    if *ignorecase
                        && observed.starts_with(char::is_uppercase)
                        && expected.starts_with(char::is_lowercase)
                    {
                        expected = capitalise(&expected);
                    }
                    if expected == observed || same_by_pattern(&expected, observed, *ignorecase) {
                        continue;
                    }
                    // "phone|mobile phone" offers two words: no one-click fix then.
                    let shown = expected.replace('|', "' or '");
                    let single = !expected.contains('|');
                    hits.push(Hit {
                        message: format_message(&self.message, &[&shown, observed]),
                        matched: observed.to_string(),
                        range: r,
                        replacement: single.then_some(expected),
                    });
                }
            }
            Matcher::Terminology { re, preferred, .. } => {
                let word_char = |c: char| c.is_alphabetic() || c == '-';
                let mut last_end = 0;
                for caps in re.captures_in_blocks(text) {
                    let Some(Some(term)) = caps.first().cloned() else {
                        continue;
                    };
                    let Some(i) =
                        (0..preferred.len()).find(|i| caps.get(i + 1).is_some_and(Option::is_some))
                    else {
                        continue;
                    };
                    // The whole word around the variant: compound prefix and suffix.
                    let start = text[..term.start]
                        .char_indices()
                        .rev()
                        .take_while(|&(_, c)| word_char(c))
                        .last()
                        .map_or(term.start, |(j, _)| j);
                    let end = text[term.end..]
                        .char_indices()
                        .take_while(|&(_, c)| word_char(c))
                        .last()
                        .map_or(term.end, |(j, c)| term.end + j + c.len_utf8());
                    let end = text[..end].trim_end_matches('-').len().max(term.end);
                    if start < last_end {
                        continue;
                    }
                    last_end = end;
                    let whole = start..end;
                    let prefix = &text[start..term.start];
                    let suffix = &text[term.end..end];
                    let good = &preferred[i];
                    let good = if !prefix.is_empty() && !prefix.ends_with('-') {
                        lower_first(good)
                    } else {
                        good.clone()
                    };
                    // Keep a suffix compound's hyphen only where the preferred form needs it.
                    let expected_term = good;
                    let observed_term = &text[term.clone()];
                    if expected_term == observed_term || accepted(&text[whole.clone()]) {
                        continue;
                    }
                    let observed = &text[whole.clone()];
                    let expected = format!("{prefix}{expected_term}{suffix}");
                    hits.push(Hit {
                        message: format_message(&self.message, &[&expected, observed]),
                        matched: observed.to_string(),
                        range: whole,
                        replacement: Some(expected),
                    });
                }
            }
            Matcher::Occurrence { re, max, min } => {
                let locs = ctx.find_all(re, text);
                let n = locs.len();
                if (*max > 0 && n > *max) || (*min > 0 && n < *min) {
                    let range = match (locs.first(), locs.last()) {
                        (Some(a), Some(b)) => a.start..b.end,
                        _ => 0..text.len(),
                    };
                    hits.push(Hit {
                        message: format_message(&self.message, &[&text[range.clone()]]),
                        matched: text[range.clone()].to_string(),
                        range,
                        replacement: None,
                    });
                }
            }
            Matcher::Repetition {
                re,
                alpha,
                ignorecase,
                max,
            } => {
                let mut prev: Option<Range<usize>> = None;
                let mut count = 0;
                for r in re.find_all(text) {
                    let curr = text[r.clone()].trim();
                    let same = prev.as_ref().is_some_and(|p| {
                        let before = text[p.clone()].trim();
                        let between = &text[p.end..r.start];
                        // The cheap tests first, and no lower-case copies: this runs for
                        // every pair of neighbouring tokens of a document.
                        !curr.is_empty()
                            && between.chars().all(char::is_whitespace)
                            && !between.contains("\n\n")
                            && if *ignorecase {
                                before
                                    .chars()
                                    .flat_map(char::to_lowercase)
                                    .eq(curr.chars().flat_map(char::to_lowercase))
                            } else {
                                before == curr
                            }
                    });
                    let hit = same && (!*alpha || curr.chars().all(char::is_alphabetic));
                    if hit {
                        count += 1;
                    } else {
                        count = 0;
                    }
                    if hit && count > *max {
                        let from = prev.as_ref().map_or(r.start, |p| p.start);
                        hits.push(Hit {
                            message: format_message(&self.message, &[curr]),
                            matched: text[from..r.end].to_string(),
                            range: from..r.end,
                            replacement: None,
                        });
                        count = 0;
                    }
                    prev = Some(r);
                }
            }
            Matcher::Consistency { pairs } => {
                for re in pairs {
                    // The first spelling used sets the standard; the other one is flagged.
                    let mut first_side = None;
                    for caps in re.captures_all(text) {
                        let side = if caps.get(1).is_some_and(Option::is_some) {
                            1
                        } else {
                            2
                        };
                        let Some(Some(r)) = caps.get(side).cloned() else {
                            continue;
                        };
                        match first_side {
                            None => first_side = Some(side),
                            Some(s) if s != side => hits.push(Hit {
                                message: format_message(&self.message, &[&text[r.clone()]]),
                                matched: text[r.clone()].to_string(),
                                range: r,
                                replacement: None,
                            }),
                            _ => {}
                        }
                    }
                }
            }
            Matcher::Conditional {
                first,
                second,
                exceptions,
            } => {
                let defined: HashSet<&str> = second
                    .captures_all(text)
                    .into_iter()
                    .filter_map(|c| c.get(1).cloned().flatten().map(|r| &text[r]))
                    .collect();
                for caps in first.captures_all(text) {
                    let Some(r) = caps.get(1).cloned().flatten().or_else(|| caps[0].clone()) else {
                        continue;
                    };
                    let token = &text[r.clone()];
                    if defined.contains(token) || exceptions.contains(token) || accepted(token) {
                        continue;
                    }
                    hits.push(Hit {
                        message: format_message(&self.message, &[token]),
                        matched: token.to_string(),
                        range: r,
                        replacement: None,
                    });
                }
            }
            Matcher::Capitalization {
                style,
                exceptions,
                indicators,
                threshold,
            } => {
                let trimmed = text.trim();
                if trimmed.is_empty() {
                    return hits;
                }
                let ok = match style {
                    CapitalStyle::Upper => trimmed.to_uppercase() == trimmed,
                    CapitalStyle::Lower => trimmed.to_lowercase() == trimmed,
                    CapitalStyle::Title => title_case(trimmed, exceptions, *threshold),
                    CapitalStyle::Sentence => {
                        sentence_case(trimmed, exceptions, indicators, *threshold)
                    }
                    CapitalStyle::Pattern(p) => p.is_match(trimmed),
                };
                if !ok {
                    let start = text.len() - text.trim_start().len();
                    hits.push(Hit {
                        message: format_message(&self.message, &[trimmed]),
                        matched: trimmed.to_string(),
                        range: start..start + trimmed.len(),
                        replacement: None,
                    });
                }
            }
            Matcher::Spelling {
                dictionaries,
                filters,
                ignored,
                verdicts,
            } => {
                let passes = |word: &str| {
                    skip_spelling(word)
                        || ignored.contains(word)
                        // A listed word may start a sentence: "Förderfähig" for "förderfähig".
                        || ignored.contains(lower_first(word).as_str())
                        || filters.iter().any(|f| f.is_match(word))
                        || dictionaries.iter().any(|d| d.check(word))
                };
                for (r, word) in spelling_words(text) {
                    if verdicts.passes(word, passes) || accepted(word) {
                        continue;
                    }
                    hits.push(Hit {
                        message: format_message(&self.message, &[word]),
                        matched: word.to_string(),
                        range: r,
                        replacement: None,
                    });
                }
            }
            Matcher::Metric { .. } => {}
        }
        hits
    }

    /// For `metric` rules: the value over the document's counts, if the condition holds.
    pub(crate) fn metric(&self, counts: &BTreeMap<&str, f64>) -> Option<f64> {
        let Matcher::Metric { formula, op, limit } = &self.matcher else {
            return None;
        };
        let v = metric::eval(formula, counts);
        metric::holds(op, v, *limit).then_some(v)
    }
}

/// Remembered spelling verdicts of one rule, bounded so that a 10 MB document of
/// distinct words cannot grow it without limit.
#[derive(Debug, Default)]
pub(crate) struct WordVerdicts(Mutex<HashMap<String, bool>>);

impl WordVerdicts {
    const CAPACITY: usize = 200_000;

    fn passes(&self, word: &str, decide: impl Fn(&str) -> bool) -> bool {
        if let Ok(m) = self.0.lock() {
            if let Some(&v) = m.get(word) {
                return v;
            }
        }
        let v = decide(word);
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= Self::CAPACITY {
                m.clear();
            }
            m.insert(word.to_string(), v);
        }
        v
    }
}

/// Words for spelling: letters with inner apostrophes, as Vale's tokenizer sees them.
fn spelling_words(text: &str) -> Vec<(Range<usize>, &str)> {
    static WORD: OnceLock<regex::Regex> = OnceLock::new();
    let re = WORD.get_or_init(|| {
        regex::Regex::new(r"[\p{L}\p{N}_]+(?:['’][\p{L}]+)*").expect("static pattern")
    });
    re.find_iter(text)
        .filter(|m| !in_address(text, m.range()))
        .map(|m| (m.range(), m.as_str()))
        .collect()
}

/// Whether `r` lies inside an e-mail address (`info@waermewerk-albtal.de`). Bare URLs are
/// already gone from the prose; addresses are not, and no rule should read them as words.
pub(crate) fn in_email(text: &str, r: &Range<usize>) -> bool {
    let start = text[..r.start]
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + 1);
    let end = text[r.end..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| r.end + i);
    text[start..end].contains('@') && !text[r.clone()].contains('@')
}

/// Whether the word at `r` is part of an e-mail address or a domain name
/// (`info@waermewerk-albtal.de`, `example.org/preise`): those are not words to spell.
fn in_address(text: &str, r: Range<usize>) -> bool {
    let start = text[..r.start]
        .rfind(char::is_whitespace)
        .map_or(0, |i| i + 1);
    let end = text[r.end..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| r.end + i);
    let chunk = text[start..end].trim_end_matches(|c: char| !c.is_alphanumeric());
    if chunk.contains('@') || chunk.contains("://") {
        return true;
    }
    // A dot between letters, followed by a top-level domain: example.org, albtal.de.
    chunk.rsplit_once('.').is_some_and(|(head, tld)| {
        head.ends_with(|c: char| c.is_alphanumeric())
            && (2..=6).contains(&tld.len())
            && tld.chars().all(|c| c.is_ascii_lowercase())
    })
}

/// Vale's default spelling filters: numbers, all-caps acronyms, camelCase and words
/// with digits or underscores are not checked.
fn skip_spelling(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || word.chars().any(|c| c.is_numeric() || c == '_') {
        return true;
    }
    if word
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
    {
        return true;
    }
    // camelCase or PascalCase with an inner capital: MyProduct, getCases.
    word.chars().skip(1).any(char::is_uppercase)
}

fn same_by_pattern(expected: &str, observed: &str, ignorecase: bool) -> bool {
    // Vale treats the replacement as a pattern: "e-?mail" accepts both spellings.
    if !expected.chars().any(|c| "|()[]?*+\\".contains(c)) {
        return false;
    }
    Pattern::new(&with_case(&format!("^(?:{expected})$"), ignorecase))
        .is_ok_and(|p| p.is_match(observed))
}

fn expand(replacement: &str, groups: &[Option<Range<usize>>], text: &str) -> String {
    if !replacement.contains('$') {
        return replacement.to_string();
    }
    let mut out = String::new();
    let mut chars = replacement.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c == '$' {
            if let Some(&(_, d)) = chars.peek() {
                if let Some(n) = d.to_digit(10) {
                    chars.next();
                    if let Some(Some(r)) = groups.get(n as usize - 1).filter(|_| n > 0) {
                        out.push_str(&text[r.clone()]);
                    }
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

fn collapse_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

const SMALL_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "but", "by", "en", "for", "if", "in", "nor", "of", "on", "or",
    "per", "the", "to", "v", "vs", "via", "with", "from", "into", "onto", "up",
];

fn title_case(s: &str, exceptions: &HashSet<String>, threshold: f64) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut good = 0.0;
    let mut total = 0.0;
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if w.is_empty() || !w.starts_with(char::is_alphabetic) {
            continue;
        }
        total += 1.0;
        let edge = i == 0 || i == words.len() - 1;
        if exceptions.contains(w)
            || w.starts_with(char::is_uppercase)
            || (!edge && SMALL_WORDS.contains(&w.to_lowercase().as_str()) && w == w.to_lowercase())
        {
            good += 1.0;
        }
    }
    total == 0.0 || good / total >= threshold
}

fn sentence_case(
    s: &str,
    exceptions: &HashSet<String>,
    indicators: &[String],
    threshold: f64,
) -> bool {
    let tokens: Vec<&str> = s.split_whitespace().collect();
    let mut good = 0.0;
    let mut total = 0.0;
    let mut first_word = true;
    for (i, raw) in tokens.iter().enumerate() {
        let w = raw.trim_matches(|c: char| !c.is_alphanumeric());
        if w.is_empty() || !w.starts_with(char::is_alphabetic) {
            continue;
        }
        total += 1.0;
        let part = w.split('-').next().unwrap_or(w);
        let upper = part.starts_with(char::is_uppercase);
        let after_indicator = i > 0
            && indicators
                .iter()
                .any(|ind| tokens[i - 1].ends_with(ind.as_str()));
        // The first word, and a word after an indicator such as ':', start upper case.
        if first_word || after_indicator {
            first_word = false;
            if upper || exceptions.contains(w) {
                good += 1.0;
            }
            continue;
        }
        if exceptions.contains(w) || exceptions.contains(part) || w == "I" || !upper {
            good += 1.0;
        }
    }
    total == 0.0 || good / total > threshold
}
