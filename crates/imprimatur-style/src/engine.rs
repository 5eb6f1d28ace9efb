//! The compiled engine: rules per language, vocabularies, and one combined prefilter
//! (`RegexSet`) per language, so a document is scanned once to learn which rules can
//! match at all; only those run on their scopes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use imprimatur_check::{text, BlockKind, CheckKind, Document, Edit, Finding, Fix, Lang, Message};
use regex::RegexSet;
use serde::Serialize;

use crate::config::{LevelSetting, StyleConfig};
use crate::error::{io, StyleError};
use crate::pattern::Pattern;
use crate::rule::{compile_spec, load_pack, Context, Hit, Pack, Rule, RuleKind, Scope};
use crate::spec::RuleSpec;
use crate::Level;

/// A rule that loaded but does not run, or another note worth showing the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadWarning {
    pub message: String,
}

/// Accepted and rejected terms (Vale's `Vocab`): accepted terms are exempt from rules
/// and spelling and must be written exactly so (`Vale.Terms`); rejected ones are
/// flagged (`Vale.Avoid`). Entries are patterns, one a line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub accept: Vec<String>,
    pub reject: Vec<String>,
}

impl Vocabulary {
    /// Reads `styles/config/vocabularies/NAME/` (Vale 3) or `styles/Vocab/NAME/` (Vale 2).
    pub fn load(styles: &Path, name: &str) -> Result<Vocabulary, StyleError> {
        let v3 = styles.join("config/vocabularies").join(name);
        let v2 = styles.join("Vocab").join(name);
        let dir = if v3.is_dir() {
            v3
        } else if v2.is_dir() {
            v2
        } else {
            return Err(StyleError::VocabNotFound {
                vocab: name.to_string(),
                searched: v3,
            });
        };
        let read = |file: &str| -> Result<Vec<String>, StyleError> {
            let path = dir.join(file);
            if !path.is_file() {
                return Ok(Vec::new());
            }
            let text = std::fs::read_to_string(&path).map_err(io(&path))?;
            Ok(text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect())
        };
        Ok(Vocabulary {
            accept: read("accept.txt")?,
            reject: read("reject.txt")?,
        })
    }

    pub fn extend(&mut self, other: Vocabulary) {
        self.accept.extend(other.accept);
        self.reject.extend(other.reject);
    }
}

/// A rule as a listing shows it (see [`StyleEngine::listing`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    pub code: String,
    pub pack: String,
    pub name: String,
    pub kind: RuleKind,
    pub level: Level,
    pub file: PathBuf,
    pub condition: Option<String>,
    pub languages: Vec<String>,
}

/// The rules of one language and their combined prefilters.
#[derive(Debug, Clone, Default)]
struct Plan {
    /// Indices into the engine's rules whose prefilter is in `sets`, in set order.
    filtered: Vec<usize>,
    /// The prefilters, a few rules per set: one set of a hundred case-insensitive
    /// Unicode patterns outgrows the lazy DFA's cache and falls back to the much slower
    /// NFA simulation, while small sets each stay one fast DFA pass over the prose.
    sets: Vec<RegexSet>,
    /// Rules that always run (lookarounds, counts, metrics, spelling).
    always: Vec<usize>,
}

/// Rules per prefilter set (see [`Plan::sets`]). Measured with callgrind on the
/// benchmark article (112 rules): one set 68M instructions per check, sets of 32 42M,
/// of 12 28M, of 4 21M, of 1 or 2 no less.
const SET_SIZE: usize = 4;

#[derive(Debug, Clone)]
pub struct StyleEngine {
    rules: Vec<Rule>,
    /// For each rule, whether it checks German and English documents.
    langs: Vec<(bool, bool)>,
    plans: [Plan; 2],
    min_level: Level,
    accepted: Option<Pattern>,
    warnings: Vec<LoadWarning>,
}

impl StyleEngine {
    /// Loads the packs named in `[style]` from `workspace_root/styleguides`, drops rules
    /// whose `when:` does not fit the house settings, applies level overrides, and
    /// compiles the prefilters.
    pub fn load(workspace_root: &Path, cfg: &StyleConfig) -> Result<StyleEngine, StyleError> {
        let styles = workspace_root.join("styleguides");
        let mut vocab = Vocabulary::default();
        for v in &cfg.vocab {
            vocab.extend(Vocabulary::load(&styles, v)?);
        }
        let mut warnings = Vec::new();
        let mut load = |names: &[String]| -> Result<Vec<Rule>, StyleError> {
            let mut rules = Vec::new();
            for name in names {
                let pack = if name == "Vale" {
                    builtin_pack(&vocab)?
                } else {
                    let dir = styles.join(name);
                    if !dir.is_dir() {
                        return Err(StyleError::PackNotFound {
                            pack: name.clone(),
                            searched: dir,
                        });
                    }
                    load_pack(&dir, name)?
                };
                warnings.extend(
                    pack.warnings
                        .iter()
                        .map(|m| LoadWarning { message: m.clone() }),
                );
                rules.extend(pack.rules);
            }
            if !vocab.accept.is_empty() || !vocab.reject.is_empty() {
                rules.extend(vocab_rules(&vocab)?);
            }
            Ok(rules
                .into_iter()
                .filter(|r| fits_house(r, cfg))
                .filter_map(|mut r| match cfg.levels.get(&r.code) {
                    Some(LevelSetting::Off) => None,
                    Some(LevelSetting::Error) => Some(r).map(|mut r| {
                        r.level = Level::Error;
                        r
                    }),
                    Some(LevelSetting::Warning) => {
                        r.level = Level::Warning;
                        Some(r)
                    }
                    Some(LevelSetting::Suggestion) => {
                        r.level = Level::Suggestion;
                        Some(r)
                    }
                    None => Some(r),
                })
                .collect())
        };
        let de = load(&cfg.packs)?;
        let en = load(&cfg.packs_en)?;
        let mut engine = StyleEngine::build(de, en, &vocab, cfg.min_level)?;
        engine.warnings.extend(warnings);
        Ok(engine)
    }

    /// Like [`load`](Self::load), but reuses the engine compiled for the same folder and
    /// settings while no file under `styleguides/` has changed (size or modification
    /// time), so checking as the user types costs no recompilation. A rule edited in the
    /// rule editor takes effect on the next check.
    pub fn load_cached(
        workspace_root: &Path,
        cfg: &StyleConfig,
    ) -> Result<Arc<StyleEngine>, StyleError> {
        type Cache = Mutex<HashMap<(PathBuf, String), (u64, Arc<StyleEngine>)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let key = (
            workspace_root.to_path_buf(),
            serde_json::to_string(cfg).unwrap_or_default(),
        );
        let stamp = fingerprint(&workspace_root.join("styleguides"));
        let cache = CACHE.get_or_init(Default::default);
        if let Some((s, engine)) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            if s == stamp {
                return Ok(engine);
            }
        }
        let engine = Arc::new(StyleEngine::load(workspace_root, cfg)?);
        if let Ok(mut c) = cache.lock() {
            c.insert(key, (stamp, engine.clone()));
        }
        Ok(engine)
    }

    /// An engine from rules already compiled (the compatibility runner builds its rule
    /// lists from `.vale.ini`).
    pub fn build(
        de: Vec<Rule>,
        en: Vec<Rule>,
        vocab: &Vocabulary,
        min_level: Level,
    ) -> Result<StyleEngine, StyleError> {
        let n_de = de.len();
        let n_en = en.len();
        let mut rules = de;
        rules.extend(en);
        let langs = (0..rules.len()).map(|i| (i < n_de, i >= n_de)).collect();
        let accepted = if vocab.accept.is_empty() {
            None
        } else {
            let src = format!("^(?:{})$", vocab.accept.join("|"));
            Some(Pattern::new(&src).map_err(|e| StyleError::Regex {
                file: PathBuf::from("accept.txt"),
                rule: "Vale.Terms".into(),
                pattern: src.clone(),
                message: e.to_string(),
            })?)
        };
        let plans = [plan(&rules, 0..n_de), plan(&rules, n_de..n_de + n_en)];
        Ok(StyleEngine {
            rules,
            langs,
            plans,
            min_level,
            accepted,
            warnings: Vec::new(),
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether rule `i` (index into [`rules`](Self::rules)) checks documents in `lang`.
    pub fn checks_language(&self, i: usize, lang: Lang) -> bool {
        match lang {
            Lang::De => self.langs[i].0,
            Lang::En => self.langs[i].1,
        }
    }

    /// One row per rule for a rule editor or `--json` listing: pack, name, kind, level,
    /// file, the house condition it runs under, and which languages it checks.
    pub fn listing(&self) -> Vec<RuleInfo> {
        self.rules
            .iter()
            .zip(&self.langs)
            .map(|(r, &(de, en))| RuleInfo {
                code: r.code.clone(),
                pack: r.pack.clone(),
                name: r.name.clone(),
                kind: r.kind,
                level: r.level,
                file: r.file.clone(),
                condition: r.condition(),
                languages: [de.then_some("de"), en.then_some("en")]
                    .into_iter()
                    .flatten()
                    .map(String::from)
                    .collect(),
            })
            .collect()
    }

    pub fn warnings(&self) -> &[LoadWarning] {
        &self.warnings
    }

    pub fn add_warnings(&mut self, w: impl IntoIterator<Item = String>) {
        self.warnings
            .extend(w.into_iter().map(|message| LoadWarning { message }));
    }
}

/// A hash of the names, sizes and modification times of every file under `dir`.
fn fingerprint(dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut entries = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(p),
                Ok(m) => entries.push((p, m.len(), m.modified().ok())),
                Err(_) => {}
            }
        }
    }
    entries.sort();
    entries.hash(&mut h);
    h.finish()
}

fn plan(rules: &[Rule], range: std::ops::Range<usize>) -> Plan {
    let mut filtered = Vec::new();
    let mut sources = Vec::new();
    let mut always = Vec::new();
    for i in range {
        let rule = &rules[i];
        let raw = rule.scopes.contains(&Scope::Raw);
        match rule.prefilter().filter(|_| !raw) {
            Some(src) => {
                filtered.push(i);
                sources.push(src);
            }
            None => always.push(i),
        }
    }
    let mut sets = Vec::new();
    let mut kept = Vec::new();
    for (chunk, rules) in sources.chunks(SET_SIZE).zip(filtered.chunks(SET_SIZE)) {
        // A set too large for the regex size limit would fail to build: its rules always run.
        match regex::RegexSetBuilder::new(chunk)
            .size_limit(64 << 20)
            .dfa_size_limit(64 << 20)
            .build()
        {
            Ok(set) => {
                sets.push(set);
                kept.extend_from_slice(rules);
            }
            Err(_) => always.extend_from_slice(rules),
        }
    }
    always.sort_unstable();
    Plan {
        filtered: kept,
        sets,
        always,
    }
}

pub(crate) fn fits_house(rule: &Rule, cfg: &StyleConfig) -> bool {
    let Some(when) = &rule.when else {
        return true;
    };
    when.address
        .as_deref()
        .is_none_or(|a| a.eq_ignore_ascii_case(cfg.address.as_str()))
        && when
            .gender
            .as_deref()
            .is_none_or(|g| g.eq_ignore_ascii_case(cfg.gender.as_str()))
}

/// Vale's built-in style: spelling (en_US) and repetition, plus the vocabulary rules.
pub(crate) fn builtin_pack(vocab: &Vocabulary) -> Result<Pack, StyleError> {
    let mut pack = Pack {
        name: "Vale".into(),
        dir: PathBuf::from("<built-in>/Vale"),
        ..Pack::default()
    };
    let spelling = RuleSpec {
        extends: Some("spelling".into()),
        message: "Did you really mean '%s'?".into(),
        level: Some("error".into()),
        ..RuleSpec::default()
    };
    let repetition = RuleSpec {
        extends: Some("repetition".into()),
        message: "'%s' is repeated!".into(),
        level: Some("error".into()),
        alpha: true,
        ignorecase: true,
        tokens: vec![r"[^\s]+".into()],
        ..RuleSpec::default()
    };
    for (name, spec) in [("Spelling", spelling), ("Repetition", repetition)] {
        let file = pack.dir.join(format!("{name}.yml"));
        if let Ok(rule) = compile_spec("Vale", name, &file, spec)? {
            pack.rules.push(rule);
        }
    }
    pack.rules.extend(vocab_rules(vocab)?);
    Ok(pack)
}

/// `Vale.Terms` (accepted terms written exactly so) and `Vale.Avoid` (rejected terms).
fn vocab_rules(vocab: &Vocabulary) -> Result<Vec<Rule>, StyleError> {
    let mut out = Vec::new();
    if !vocab.accept.is_empty() {
        let spec = RuleSpec {
            extends: Some("substitution".into()),
            message: "Use '%s' instead of '%s'.".into(),
            level: Some("error".into()),
            // Found in any case, compared case-sensitively: "Myproduct" → "MyProduct".
            swap: vocab
                .accept
                .iter()
                .map(|t| (format!("(?i:{t})"), t.clone()))
                .collect(),
            vocab: Some(false),
            ..RuleSpec::default()
        };
        let file = PathBuf::from("<built-in>/Vale/Terms.yml");
        if let Ok(rule) = compile_spec("Vale", "Terms", &file, spec)? {
            out.push(rule);
        }
    }
    if !vocab.reject.is_empty() {
        let spec = RuleSpec {
            extends: Some("existence".into()),
            message: "Avoid using '%s'.".into(),
            level: Some("error".into()),
            tokens: vocab.reject.clone(),
            vocab: Some(false),
            ..RuleSpec::default()
        };
        let file = PathBuf::from("<built-in>/Vale/Avoid.yml");
        if let Ok(rule) = compile_spec("Vale", "Avoid", &file, spec)? {
            out.push(rule);
        }
    }
    Ok(out)
}

/// Runs the engine's rules for the document's language. Pure: same document and
/// engine, same findings, sorted by position.
pub fn check(doc: &Document, engine: &StyleEngine) -> Vec<Finding> {
    let plan = match doc.lang {
        Lang::De => &engine.plans[0],
        Lang::En => &engine.plans[1],
    };
    let prose = doc.prose.text.as_str();
    let mut active: Vec<usize> = plan.always.clone();
    let mut offset = 0;
    for set in &plan.sets {
        active.extend(
            set.matches(prose)
                .into_iter()
                .map(|i| plan.filtered[offset + i]),
        );
        offset += set.len();
    }
    active.sort_unstable();
    let ctx = Context::new(engine.accepted.as_ref());
    let mut sentences: Option<Vec<std::ops::Range<usize>>> = None;
    let mut counts: Option<BTreeMap<&str, f64>> = None;
    let mut findings = Vec::new();
    let mut seen = HashSet::new();
    for i in active {
        let rule = &engine.rules[i];
        if rule.level < engine.min_level {
            continue;
        }
        if rule.kind == RuleKind::Metric {
            let counts = counts.get_or_insert_with(|| {
                let n = sentences
                    .get_or_insert_with(|| text::sentences(prose, doc.lang))
                    .len();
                metric_counts(doc, n)
            });
            if let Some(value) = rule.metric(counts) {
                let at = doc.blocks.first().map_or(0, |b| b.prose.start);
                let text = crate::rule::format_message(&rule.message, &[&format!("{value:.2}")]);
                findings.push(finding(
                    doc,
                    rule,
                    doc.prose_span(at, at),
                    text,
                    None,
                    Some(value),
                ));
            }
            continue;
        }
        for scope in &rule.scopes {
            // Pattern kinds search the whole prose once and keep matches inside one block
            // (see `captures_in_blocks`); counting kinds run block by block, as Vale does.
            let whole_document = matches!(
                rule.kind,
                RuleKind::Consistency
                    | RuleKind::Conditional
                    | RuleKind::Existence
                    | RuleKind::Substitution
                    | RuleKind::Terminology
                    | RuleKind::Spelling
            );
            let segments: Vec<(usize, &str)> = match scope {
                Scope::Raw => {
                    for hit in rule.run(&doc.source, &ctx) {
                        let span = doc.span(hit.range.start, hit.range.end);
                        if seen.insert((i, span.start, span.end)) {
                            findings.push(hit_finding(doc, rule, span, hit));
                        }
                    }
                    continue;
                }
                Scope::Elsewhere => continue,
                Scope::Summary => vec![(0, prose)],
                Scope::Text if whole_document => vec![(0, prose)],
                Scope::Sentence => {
                    let s = sentences.get_or_insert_with(|| text::sentences(prose, doc.lang));
                    s.iter().map(|r| (r.start, &prose[r.clone()])).collect()
                }
                block_scope => doc
                    .blocks
                    .iter()
                    .filter(|b| match block_scope {
                        Scope::Text => !matches!(b.kind, BlockKind::Code | BlockKind::Html),
                        Scope::Heading(None) => matches!(b.kind, BlockKind::Heading(_)),
                        Scope::Heading(Some(l)) => b.kind == BlockKind::Heading(*l),
                        Scope::Paragraph => b.kind == BlockKind::Paragraph,
                        Scope::List => b.in_list,
                        Scope::Blockquote => b.in_quote,
                        Scope::Table => b.kind == BlockKind::TableCell,
                        _ => false,
                    })
                    .map(|b| (b.prose.start, doc.block_text(b)))
                    .collect(),
            };
            for (base, text) in segments {
                for hit in rule.run(text, &ctx) {
                    if crate::rule::in_email(text, &hit.range) {
                        continue;
                    }
                    let span = doc.prose_span(base + hit.range.start, base + hit.range.end);
                    if rule.kind == RuleKind::Repetition && !adjacent_in_source(doc, span) {
                        continue;
                    }
                    if seen.insert((i, span.start, span.end)) {
                        findings.push(hit_finding(doc, rule, span, hit));
                    }
                }
            }
        }
    }
    findings.sort_by(|a, b| {
        (a.span.start, a.severity, &a.code).cmp(&(b.span.start, b.severity, &b.code))
    });
    findings
}

/// A repeated word is only a repetition when nothing but white space separates the two
/// in the source (inline code between them is gone from the prose but not from the text).
fn adjacent_in_source(doc: &Document, span: imprimatur_check::Span) -> bool {
    doc.source
        .get(span.start as usize..span.end as usize)
        .is_some_and(|s| s.split_whitespace().count() == 2)
}

fn hit_finding(doc: &Document, rule: &Rule, span: imprimatur_check::Span, hit: Hit) -> Finding {
    // Offer a fix only where the source holds exactly the matched text.
    let fix = hit.replacement.as_ref().and_then(|r| {
        let source = doc.source.get(span.start as usize..span.end as usize)?;
        (source == hit.matched).then(|| Fix {
            label: match doc.lang {
                Lang::De => format!("Ersetzen durch „{r}“"),
                Lang::En => format!("Replace with “{r}”"),
            },
            edits: vec![Edit {
                start: span.start,
                end: span.end,
                replacement: r.clone(),
            }],
        })
    });
    let mut f = finding(doc, rule, span, hit.message, fix, None);
    f.message.args.insert("match".into(), hit.matched);
    if let Some(r) = hit.replacement {
        f.message.args.insert("replacement".into(), r);
    }
    f
}

fn finding(
    _doc: &Document,
    rule: &Rule,
    span: imprimatur_check::Span,
    text: String,
    fix: Option<Fix>,
    value: Option<f64>,
) -> Finding {
    let mut evidence = serde_json::Map::new();
    if !rule.link.is_empty() {
        evidence.insert("link".into(), rule.link.clone().into());
    }
    if let Some(v) = value {
        evidence.insert("value".into(), v.into());
    }
    Finding {
        check: CheckKind::Style,
        code: rule.code.clone(),
        severity: rule.level.severity(),
        message: Message::plain(format!("style.{}", rule.code), text),
        span,
        fix,
        evidence: (!evidence.is_empty()).then_some(serde_json::Value::Object(evidence)),
    }
}

/// Vale's metric variables over the document.
fn metric_counts(doc: &Document, sentences: usize) -> BTreeMap<&'static str, f64> {
    let prose = &doc.prose.text;
    let mut words = 0.0;
    let mut syllables = 0.0;
    let mut complex = 0.0;
    let mut long = 0.0;
    let mut characters = 0.0;
    for (_, w) in text::words(prose) {
        words += 1.0;
        let s = syllable_count(w) as f64;
        syllables += s;
        characters += w.chars().count() as f64;
        if s >= 3.0 {
            complex += 1.0;
        }
        if w.chars().count() > 6 {
            long += 1.0;
        }
    }
    let count = |f: &dyn Fn(&imprimatur_check::Block) -> bool| {
        doc.blocks.iter().filter(|b| f(b)).count() as f64
    };
    let mut m = BTreeMap::from([
        ("words", words),
        ("sentences", sentences as f64),
        ("characters", characters),
        ("syllables", syllables),
        ("complex_words", complex),
        ("polysyllabic_words", complex),
        ("long_words", long),
        ("paragraphs", count(&|b| b.kind == BlockKind::Paragraph)),
        ("pre", count(&|b| b.kind == BlockKind::Code)),
        ("list", count(&|b| b.in_list)),
        ("blockquote", count(&|b| b.in_quote)),
    ]);
    for (l, name) in [
        (1, "heading_h1"),
        (2, "heading_h2"),
        (3, "heading_h3"),
        (4, "heading_h4"),
        (5, "heading_h5"),
        (6, "heading_h6"),
    ] {
        m.insert(name, count(&|b| b.kind == BlockKind::Heading(l)));
    }
    m
}

/// Vowel groups, the usual approximation for English and German.
fn syllable_count(word: &str) -> usize {
    let mut n = 0;
    let mut prev_vowel = false;
    for c in word.chars().flat_map(char::to_lowercase) {
        let v = "aeiouyäöü".contains(c);
        if v && !prev_vowel {
            n += 1;
        }
        prev_vowel = v;
    }
    n.max(1)
}
