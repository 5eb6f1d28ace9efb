//! The SEO panel's data (`Workspace::seo_overview`): the assessments of the editor's text,
//! its front matter, the site host, and the workspace-wide findings minus ignored ones.

use imprimatur_workspace::store::{IgnoreScope, NewIgnore, NewRevision, Origin, Timestamp};
use imprimatur_workspace::Workspace;

const ALTBAU: &str = "---\ntitle: Wärmepumpe im Altbau\nkeyphrase: Wärmepumpe im Altbau\nslug: waermepumpe-im-altbau\nlang: de\n---\nEine Wärmepumpe im Altbau spart Geld.\n";

#[test]
fn overview_reads_front_matter_host_and_competing_articles() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("ws");
    let mut ws = Workspace::init(&root, "anna", Timestamp(1)).unwrap();
    let toml = std::fs::read_to_string(root.join("imprimatur.toml")).unwrap();
    std::fs::write(
        root.join("imprimatur.toml"),
        format!("{toml}\n[seo]\nsite_hosts = [\"waermewerk-albtal.de\"]\n"),
    )
    .unwrap();
    let mut ws_reopened = Workspace::open(&root).unwrap();
    std::mem::swap(&mut ws, &mut ws_reopened);

    let first = ws
        .store_mut()
        .create_document("Altbau", "anna", Timestamp(2))
        .unwrap();
    ws.store_mut()
        .save(
            &first.id,
            NewRevision {
                content: ALTBAU,
                author: "anna",
                origin: Origin::Human,
                message: None,
            },
            Timestamp(3),
        )
        .unwrap();
    let second = ws
        .store_mut()
        .create_document("Altbau 2", "anna", Timestamp(4))
        .unwrap();

    // A copy of an article's head is taken for that article (`imprimatur check FILE`), so
    // the competitor differs in a word.
    let text = ALTBAU.replace("spart Geld", "spart viel Geld");
    let o = ws.seo_overview(&text, Some(&second.id)).unwrap();
    assert_eq!(o.host.as_deref(), Some("waermewerk-albtal.de"));
    assert_eq!(
        o.front_matter.keyphrase.as_deref(),
        Some("Wärmepumpe im Altbau")
    );
    assert_eq!(o.report.serp.slug, "waermepumpe-im-altbau");
    let title = o.report.get("seo.keyphrase_in_title").unwrap();
    assert_eq!(title.rating, imprimatur_seo::Rating::Good);
    let clash = o
        .site
        .iter()
        .find(|f| f.code == "seo.cannibalization")
        .expect("the first article targets the same keyphrase")
        .clone();

    // Ignored in this document: the panel leaves it out, like the checks panel.
    let (s, e) = (clash.span.start as usize, clash.span.end as usize);
    ws.store_mut()
        .ignore_finding(
            &second.id,
            NewIgnore {
                code: &clash.code,
                scope: IgnoreScope::Document,
                matched: &text[s..e],
                context: &text[..s],
                reason: "Zweite Fassung, ersetzt die erste",
                author: "anna",
            },
            Timestamp(5),
        )
        .unwrap();
    let before = o.site.len();
    let o = ws.seo_overview(&text, Some(&second.id)).unwrap();
    assert_eq!(o.site.len(), before - 1);
    assert!(!o
        .site
        .iter()
        .any(|f| f.code == clash.code && f.span == clash.span));

    // The stored document itself is not its own competitor.
    let own = ws.seo_overview(&text, Some(&first.id)).unwrap();
    assert!(own.site.iter().all(|f| f.code != "seo.cannibalization"));
}

#[test]
fn a_text_without_keyphrase_still_gets_every_assessment() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = Workspace::init(&tmp.path().join("ws"), "anna", Timestamp(1)).unwrap();
    let o = ws
        .seo_overview("# Notiz\n\nEin kurzer Text.\n", None)
        .unwrap();
    assert_eq!(o.host, None);
    assert_eq!(o.front_matter.keyphrase, None);
    assert!(
        o.report.assessments.len() >= 20,
        "{}",
        o.report.assessments.len()
    );
    let k = o.report.get("seo.keyphrase_length").unwrap();
    assert_eq!(k.rating, imprimatur_seo::Rating::Bad);
}
