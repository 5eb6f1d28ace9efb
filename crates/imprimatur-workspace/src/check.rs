//! Runs the checks on a text with this workspace's settings and gathers one
//! [`CheckReport`]. Each check is a pure function in its own crate; this is where they meet.

use imprimatur_check::{CheckKind, CheckReport, Document, Lang};

use crate::Workspace;

/// The checks `imprimatur check` runs when `--only` is not given.
pub const ALL_CHECKS: &[CheckKind] = &[CheckKind::Style, CheckKind::Seo];

impl Workspace {
    /// Parses `source` as a Markdown document in this workspace's default language.
    pub fn parse_document(&self, source: &str) -> Document {
        let lang = match self.settings().workspace.language {
            crate::Language::De => Lang::De,
            crate::Language::En => Lang::En,
        };
        Document::parse(source, lang)
    }

    /// Checks `source` with the checks in `only` (all when empty). Problems with the
    /// document itself, such as broken front matter, are always reported.
    pub fn check(&self, source: &str, only: &[CheckKind]) -> CheckReport {
        let doc = self.parse_document(source);
        let wanted = |k: CheckKind| only.is_empty() || only.contains(&k);
        let mut findings = doc.problems.clone();
        for &kind in ALL_CHECKS {
            if !wanted(kind) {
                continue;
            }
            // Each check lands here as its crate arrives (style, SEO, facts, duplicates).
        }
        let mut report = CheckReport {
            content_hash: imprimatur_store::content_hash(source),
            findings: std::mem::take(&mut findings),
            scores: Default::default(),
        };
        report.normalise();
        report
    }
}
