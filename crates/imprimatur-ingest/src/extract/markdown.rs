//! Markdown: the file is the text. Blocks and heading titles come from the same parser
//! and source map the checks use, front matter from the shared front matter reader.

use imprimatur_check::{BlockKind as MdBlock, Document, Lang};

use super::{Block, BlockKind, Extracted, Format, Metadata};

pub(super) fn extract(source: &str) -> Extracted {
    // The default language only matters to the checks; a chunk's language is decided later.
    let doc = Document::parse(source, Lang::De);
    let mut extra = doc.front_matter.extra.clone();
    let mut take = |key: &str| extra.remove(key).and_then(|v| json_text(&v));
    let product = take("product");
    let valid_from = take("valid_from");
    let valid_to = take("valid_to");
    let meta = Metadata {
        title: doc.front_matter.title.clone().or_else(|| {
            doc.headings()
                .find(|(level, _)| *level == 1)
                .map(|(_, b)| doc.block_text(b).trim().to_string())
        }),
        lang: doc.front_matter.lang,
        product,
        valid_from,
        valid_to,
        extra,
    };
    let blocks = doc
        .blocks
        .iter()
        .map(|b| Block {
            kind: match b.kind {
                MdBlock::Heading(level) => BlockKind::Heading {
                    level,
                    title: doc.block_text(b).trim().to_string(),
                },
                _ => BlockKind::Body,
            },
            range: b.source.clone(),
        })
        .collect();
    let warnings = doc
        .problems
        .iter()
        .map(|f| format!("line {}: {}", f.span.line, f.message.text))
        .collect();
    Extracted {
        format: Format::Markdown,
        text: doc.source,
        blocks,
        meta,
        pages: Vec::new(),
        warnings,
    }
}

fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_keys_and_headings() {
        let src = "---\ntitle: Preisliste\nlang: de\nproduct: AlbAir 9\nvalid_from: 2026-01-01\nvalid_to: 2026-12-31\nautor: Jana\n---\n\n# Preise 2026\n\nText **fett**.\n\n## Wärmepumpen\n\n- Punkt eins\n";
        let x = extract(src);
        assert_eq!(x.text, src);
        assert_eq!(x.meta.title.as_deref(), Some("Preisliste"));
        assert_eq!(x.meta.lang, Some(Lang::De));
        assert_eq!(x.meta.product.as_deref(), Some("AlbAir 9"));
        assert_eq!(x.meta.valid_from.as_deref(), Some("2026-01-01"));
        assert_eq!(x.meta.valid_to.as_deref(), Some("2026-12-31"));
        assert_eq!(x.meta.extra["autor"], "Jana");
        let titles: Vec<_> = x
            .blocks
            .iter()
            .filter_map(|b| match &b.kind {
                BlockKind::Heading { level, title } => Some((*level, title.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(titles, [(1, "Preise 2026"), (2, "Wärmepumpen")]);
        let bodies: Vec<_> = x
            .blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Body)
            .map(|b| src[b.range.clone()].trim())
            .collect();
        assert_eq!(bodies, ["Text **fett**.", "- Punkt eins"]);
    }

    #[test]
    fn broken_front_matter_is_a_warning_not_an_error() {
        let x = extract("---\ntitle: [kaputt\n---\nText.\n");
        assert_eq!(x.warnings.len(), 1, "{:?}", x.warnings);
        assert!(x.warnings[0].contains("YAML"), "{:?}", x.warnings);
        assert_eq!(x.blocks.len(), 1);
    }
}
