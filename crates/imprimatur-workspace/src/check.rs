//! Runs the checks on a text with this workspace's settings and gathers one
//! [`CheckReport`]. Each check is a pure function in its own crate; this is where they meet.

use imprimatur_check::{CheckKind, CheckReport, Document, Lang};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{LazyLock, Mutex};

use imprimatur_seo::site::SiteArticle;
use imprimatur_store::{DocumentId, RevisionId};

type SiteCache = HashMap<(PathBuf, String), (RevisionId, String, SiteArticle)>;

/// Other articles' front matter by workspace and document, valid for one head revision.
static SITE_CACHE: LazyLock<Mutex<SiteCache>> = LazyLock::new(Default::default);

use crate::{Workspace, WorkspaceResult};

/// The checks `imprimatur check` runs when `--only` is not given.
pub const ALL_CHECKS: &[CheckKind] = &[CheckKind::Style, CheckKind::Seo, CheckKind::Duplicates];

impl Workspace {
    /// Parses `source` as a Markdown document in this workspace's default language.
    pub fn parse_document(&self, source: &str) -> Document {
        let lang = match self.settings().workspace.language {
            crate::Language::De => Lang::De,
            crate::Language::En => Lang::En,
        };
        Document::parse(source, lang)
    }

    /// The `[seo]` settings, or their defaults.
    pub fn seo_config(&self) -> imprimatur_seo::SeoConfig {
        self.settings().seo.clone().unwrap_or_default()
    }

    /// Every SEO and readability assessment of `source` (all ratings, not only the
    /// problems), with the SERP preview: what the SEO panel shows.
    pub fn seo_report(&self, source: &str) -> imprimatur_seo::SeoReport {
        imprimatur_seo::check(&self.parse_document(source), &self.seo_config())
    }

    /// The SEO panel's data for `source`, the editor's text of document `this` (if stored):
    /// all assessments, whether or not the text has a keyphrase yet, and the workspace-wide
    /// findings that `check_document` reports for articles, without the ignored ones.
    pub fn seo_overview(
        &self,
        source: &str,
        this: Option<&DocumentId>,
    ) -> WorkspaceResult<crate::ipc::SeoOverview> {
        let doc = self.parse_document(source);
        let cfg = self.seo_config();
        let site_articles = self.site_articles(source, this);
        let mut site = imprimatur_seo::site::cannibalization(&doc, &site_articles, &cfg);
        site.extend(imprimatur_seo::site::link_suggestions(
            &doc,
            &site_articles,
            &cfg,
        ));
        if let Some(id) = this {
            let ignores = self.store().ignores(id)?;
            retain_unignored(&mut site, source, &ignores);
        }
        Ok(crate::ipc::SeoOverview {
            report: imprimatur_seo::check(&doc, &cfg),
            host: cfg.site_hosts.first().cloned(),
            front_matter: doc.front_matter,
            site,
        })
    }

    /// The `[style]` settings, or their defaults.
    pub fn style_config(&self) -> imprimatur_style::StyleConfig {
        self.settings().style.clone().unwrap_or_default()
    }

    /// The compiled style rules of this workspace (cached until a file in `styleguides/` changes).
    pub fn style_engine(
        &self,
    ) -> Result<std::sync::Arc<imprimatur_style::StyleEngine>, imprimatur_style::StyleError> {
        imprimatur_style::StyleEngine::load_cached(self.root(), &self.style_config())
    }

    /// Style findings; a broken rule pack is one error finding naming the file and how to
    /// fix it, so the other checks still run.
    fn style_findings(&self, doc: &Document) -> Vec<imprimatur_check::Finding> {
        match self.style_engine() {
            Ok(engine) => imprimatur_style::check(doc, &engine),
            Err(e) => vec![imprimatur_check::Finding {
                check: CheckKind::Style,
                code: e.code().to_string(),
                severity: imprimatur_check::Severity::Error,
                message: imprimatur_check::Message::plain(e.code(), e.to_string()),
                span: doc.span(0, 0),
                fix: None,
                evidence: None,
            }],
        }
    }

    /// Checks `source` with the checks in `only` (all when empty). Problems with the
    /// document itself, such as broken front matter, are always reported.
    pub fn check(&self, source: &str, only: &[CheckKind]) -> CheckReport {
        self.check_in_workspace(source, only, None)
    }

    /// The other articles of the workspace (head revisions), leaving out document `this`,
    /// and, when no id is known (`imprimatur check FILE`), any document whose head is this
    /// very text. A store that cannot be read gives no articles: the document's own checks
    /// still run, and the store's error shows where the store is used.
    fn site_articles(&self, source: &str, this: Option<&DocumentId>) -> Vec<SiteArticle> {
        let Ok(docs) = self.store().documents() else {
            return Vec::new();
        };
        let own_hash = imprimatur_store::content_hash(source);
        // The live check runs on every pause in typing: each article is read and parsed
        // once per head revision, then served from this cache.
        let mut cache = SITE_CACHE.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        for d in docs.iter().filter(|d| Some(&d.id) != this) {
            let Some(head_id) = &d.head else { continue };
            let key = (self.root().to_path_buf(), d.id.to_string());
            let cached = cache.get(&key).filter(|(rev, _, _)| rev == head_id);
            let (hash, article) = match cached {
                Some((_, hash, article)) => (hash.clone(), article.clone()),
                None => {
                    let Ok(Some(head)) = self.store().head(&d.id) else {
                        continue;
                    };
                    let doc = self.parse_document(&head.content);
                    let article = SiteArticle::from_document(d.id.to_string(), &doc);
                    let hash = head.meta.content_hash.clone();
                    cache.insert(key, (head_id.clone(), hash.clone(), article.clone()));
                    (hash, article)
                }
            };
            if hash != own_hash {
                out.push(article);
            }
        }
        out
    }

    pub(crate) fn check_in_workspace(
        &self,
        source: &str,
        only: &[CheckKind],
        this: Option<&DocumentId>,
    ) -> CheckReport {
        let doc = self.parse_document(source);
        let wanted = |k: CheckKind| only.is_empty() || only.contains(&k);
        let mut findings = doc.problems.clone();
        let mut scores = std::collections::BTreeMap::new();
        for &kind in ALL_CHECKS {
            if !wanted(kind) {
                continue;
            }
            // Each check lands here as its crate arrives (style, SEO, facts, duplicates).
            if kind == CheckKind::Style {
                findings.extend(self.style_findings(&doc));
            }
            // SEO runs on web articles: documents with a focus keyphrase in their front
            // matter, or any document when asked for explicitly (`--only seo`). Notes and
            // drafts would otherwise drown in "set a keyphrase" findings.
            let is_article = doc.front_matter.keyphrase.is_some();
            if kind == CheckKind::Seo && (is_article || only.contains(&CheckKind::Seo)) {
                let seo = imprimatur_seo::check(&doc, &self.seo_config());
                findings.extend(seo.findings(&doc));
                scores.extend(seo.scores());
                // Workspace-wide: cannibalization and internal-link suggestions.
                let site = self.site_articles(source, this);
                let cfg = self.seo_config();
                findings.extend(imprimatur_seo::site::cannibalization(&doc, &site, &cfg));
                findings.extend(imprimatur_seo::site::link_suggestions(&doc, &site, &cfg));
            }
            // Near-duplicates and copied passages against the workspace's documents,
            // imported corpora and knowledge/ (duplicates.rs). An index that cannot be
            // read or written is one finding saying so; the other checks still run.
            if kind == CheckKind::Duplicates {
                match self.duplicate_findings(&doc, source, this) {
                    Ok(f) => findings.extend(f),
                    Err(e) => findings.push(imprimatur_check::Finding {
                        check: CheckKind::Duplicates,
                        code: "dup.index".to_string(),
                        severity: imprimatur_check::Severity::Warning,
                        message: imprimatur_check::Message::plain(
                            "dup.index",
                            format!("the duplicates index could not be updated: {e}"),
                        ),
                        span: doc.span(0, 0),
                        fix: None,
                        evidence: None,
                    }),
                }
            }
        }
        let mut report = CheckReport {
            content_hash: imprimatur_store::content_hash(source),
            findings: std::mem::take(&mut findings),
            scores,
        };
        report.normalise();
        report
    }

    /// Like [`Workspace::check`], for the text of document `id`: findings the user
    /// ignored in that document are left out.
    pub fn check_document(
        &self,
        id: &DocumentId,
        source: &str,
        only: &[CheckKind],
    ) -> WorkspaceResult<CheckReport> {
        let ignores = self.store().ignores(id)?;
        let mut report = self.check_in_workspace(source, only, Some(id));
        retain_unignored(&mut report.findings, source, &ignores);
        Ok(report)
    }
}

/// Drops the findings that one of `ignores` covers in `source`.
fn retain_unignored(
    findings: &mut Vec<imprimatur_check::Finding>,
    source: &str,
    ignores: &[imprimatur_store::Ignore],
) {
    if ignores.is_empty() {
        return;
    }
    findings.retain(|f| {
        let (s, e) = (f.span.start as usize, f.span.end as usize);
        let (Some(matched), Some(before)) = (source.get(s..e), source.get(..s)) else {
            return true;
        };
        !ignores.iter().any(|i| i.covers(&f.code, matched, before))
    });
}
