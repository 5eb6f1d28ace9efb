//! Scopes over Markdown structure: each rule sees only its part of the document, and
//! code blocks, inline code and URLs are never prose (except for `raw`).

use std::fs;

use imprimatur_check::{Document, Lang};
use imprimatur_style::{check, StyleConfig, StyleEngine};

const DOC: &str = "\
# Titel mit Wort

## Zweite Ebene mit Wort

Ein Absatz mit Wort. Noch ein Satz mit Wort und Wort.

- Liste mit Wort
- Noch eine Liste

> Zitat mit Wort

```
Code mit Wort
```

Inline `Wort` und https://example.org/Wort bleiben draußen.
";

#[test]
fn each_scope_sees_its_part_of_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("styleguides/S");
    fs::create_dir_all(&pack).unwrap();
    for scope in [
        "text",
        "heading",
        "heading.h2",
        "paragraph",
        "list",
        "blockquote",
        "sentence",
        "raw",
    ] {
        let name = scope.replace('.', "_");
        fs::write(
            pack.join(format!("{name}.yml")),
            format!("extends: existence\nmessage: '%s'\nscope: {scope}\ntokens:\n  - Wort\n"),
        )
        .unwrap();
    }
    fs::write(
        pack.join("Satz.yml"),
        "extends: occurrence\nmessage: zu viele\nscope: sentence\nmax: 1\ntoken: Wort\n",
    )
    .unwrap();
    let cfg = StyleConfig {
        packs: vec!["S".into()],
        packs_en: vec![],
        ..StyleConfig::default()
    };
    let engine = StyleEngine::load(dir.path(), &cfg).unwrap();
    let doc = Document::parse(DOC, Lang::De);
    let findings = check(&doc, &engine);
    let lines = |code: &str| -> Vec<u32> {
        findings
            .iter()
            .filter(|f| f.code == code)
            .map(|f| f.span.line)
            .collect()
    };
    assert_eq!(lines("S.text"), [1, 3, 5, 5, 5, 7, 10]);
    assert_eq!(lines("S.heading"), [1, 3]);
    assert_eq!(lines("S.heading_h2"), [3]);
    assert_eq!(lines("S.paragraph"), [5, 5, 5, 10]);
    assert_eq!(lines("S.list"), [7]);
    assert_eq!(lines("S.blockquote"), [10]);
    assert_eq!(lines("S.sentence"), [1, 3, 5, 5, 5, 7, 10]);
    // Raw sees the source as written: code block, inline code and the URL too.
    assert_eq!(lines("S.raw"), [1, 3, 5, 5, 5, 7, 10, 13, 16, 16]);
    // Occurrence counts per sentence: only "Noch ein Satz mit Wort und Wort." has two.
    let satz: Vec<_> = findings.iter().filter(|f| f.code == "S.Satz").collect();
    assert_eq!(satz.len(), 1);
    assert_eq!(satz[0].span.column, 40);
    // Every span points at the word in the source.
    for f in &findings {
        if f.code != "S.Satz" {
            assert_eq!(
                &DOC[f.span.start as usize..f.span.end as usize],
                "Wort",
                "{f:?}"
            );
        }
    }
}
