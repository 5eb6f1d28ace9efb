//! A Markdown document as checks see it: front matter, blocks with their kind and source
//! range, links and images, and the *prose*: the text a reader reads (no markup, no
//! code, no URLs), with a map from every prose offset back to the source.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::finding::{CheckKind, Finding, Message, Severity, Span};
use crate::front_matter::{self, FrontMatter, Lang};
use crate::lines::LineIndex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading(u8),
    Paragraph,
    /// The text of a list item (tight lists have no paragraph of their own).
    ListItem,
    TableCell,
    /// Fenced or indented code: never checked for prose.
    Code,
    Html,
}

/// A leaf block: its kind, its source bytes, and where its text is in the prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    pub source: Range<usize>,
    pub prose: Range<usize>,
    pub in_list: bool,
    pub in_quote: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub url: String,
    /// The link text, or an image's alt text.
    pub text: String,
    pub source: Range<usize>,
    pub is_image: bool,
}

/// Readable text with a map back to the source: segment `(prose_start, source_start, len)`
/// says that `len` bytes at `prose_start` came from `source_start`. Separators that the
/// source does not contain (between blocks) map to the end of the previous segment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prose {
    pub text: String,
    segments: Vec<(usize, usize, usize)>,
}

impl Prose {
    fn push_source(&mut self, text: &str, source_start: usize) {
        if text.is_empty() {
            return;
        }
        self.segments
            .push((self.text.len(), source_start, text.len()));
        self.text.push_str(text);
    }

    fn push_gap(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// The source offset of prose offset `p`.
    pub fn to_source(&self, p: usize) -> usize {
        let i = self.segments.partition_point(|&(ps, _, _)| ps <= p);
        if i == 0 {
            return self.segments.first().map_or(0, |s| s.1);
        }
        let (ps, ss, len) = self.segments[i - 1];
        ss + (p - ps).min(len)
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    pub source: String,
    pub front_matter: FrontMatter,
    /// Where the Markdown body starts (after the front matter).
    pub body_start: usize,
    /// The analysis language: the front matter's `lang`, else the workspace default.
    pub lang: Lang,
    pub blocks: Vec<Block>,
    pub links: Vec<Link>,
    pub prose: Prose,
    /// Problems with the document itself (broken front matter), as findings.
    pub problems: Vec<Finding>,
    lines: LineIndex,
}

impl Document {
    pub fn parse(source: impl Into<String>, default_lang: Lang) -> Document {
        let source = source.into();
        let lines = LineIndex::new(&source);
        let (front_matter, body_start, fm_error) = front_matter::split(&source);
        let lang = front_matter.lang.unwrap_or(default_lang);
        let mut doc = Document {
            front_matter,
            body_start,
            lang,
            blocks: Vec::new(),
            links: Vec::new(),
            prose: Prose::default(),
            problems: Vec::new(),
            lines,
            source,
        };
        if let Some(e) = fm_error {
            let span = doc.span(e.offset, e.offset);
            doc.problems.push(Finding {
                check: CheckKind::Document,
                code: "doc.front_matter".into(),
                severity: Severity::Error,
                message: Message::plain("doc.front_matter", e.message),
                span,
                fix: None,
                evidence: None,
            });
        }
        doc.scan();
        doc
    }

    fn scan(&mut self) {
        let body = &self.source[self.body_start..];
        let base = self.body_start;
        let opts = Options::ENABLE_TABLES
            | Options::ENABLE_STRIKETHROUGH
            | Options::ENABLE_FOOTNOTES
            | Options::ENABLE_HEADING_ATTRIBUTES;
        let mut open: Option<(BlockKind, usize, usize)> = None; // kind, source start, prose start
        let mut list_depth = 0usize;
        let mut quote_depth = 0usize;
        let mut item_text_open = false;
        let mut link_stack: Vec<(String, usize, bool, LinkType, String)> = Vec::new();
        let mut prose = Prose::default();
        let mut blocks = Vec::new();
        let mut links = Vec::new();

        let close = |open: &mut Option<(BlockKind, usize, usize)>,
                     end: usize,
                     prose: &mut Prose,
                     blocks: &mut Vec<Block>,
                     in_list: bool,
                     in_quote: bool| {
            if let Some((kind, s, p)) = open.take() {
                blocks.push(Block {
                    kind,
                    source: s..end,
                    prose: p..prose.text.len(),
                    in_list,
                    in_quote,
                });
                prose.push_gap("\n\n");
            }
        };

        for (event, range) in Parser::new_ext(body, opts).into_offset_iter() {
            let r = (range.start + base)..(range.end + base);
            match event {
                Event::Start(Tag::Heading { level, .. }) => {
                    open = Some((
                        BlockKind::Heading(heading(level)),
                        r.start,
                        prose.text.len(),
                    ));
                }
                Event::Start(Tag::Paragraph) => {
                    if item_text_open {
                        close(
                            &mut open,
                            r.start,
                            &mut prose,
                            &mut blocks,
                            list_depth > 0,
                            quote_depth > 0,
                        );
                        item_text_open = false;
                    }
                    open = Some((BlockKind::Paragraph, r.start, prose.text.len()));
                }
                Event::Start(Tag::TableCell) => {
                    open = Some((BlockKind::TableCell, r.start, prose.text.len()));
                }
                Event::Start(Tag::CodeBlock(_)) => {
                    open = Some((BlockKind::Code, r.start, prose.text.len()));
                }
                Event::Start(Tag::HtmlBlock) => {
                    open = Some((BlockKind::Html, r.start, prose.text.len()));
                }
                Event::Start(Tag::List(_)) => {
                    if item_text_open {
                        close(
                            &mut open,
                            r.start,
                            &mut prose,
                            &mut blocks,
                            true,
                            quote_depth > 0,
                        );
                        item_text_open = false;
                    }
                    list_depth += 1;
                }
                Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
                Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
                Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
                Event::Start(Tag::Item) => {
                    // Text of a tight item arrives without a paragraph: open one here.
                    open = Some((BlockKind::ListItem, r.start, prose.text.len()));
                    item_text_open = true;
                }
                Event::End(TagEnd::Item) if item_text_open => {
                    close(
                        &mut open,
                        r.end,
                        &mut prose,
                        &mut blocks,
                        true,
                        quote_depth > 0,
                    );
                    item_text_open = false;
                }
                Event::End(
                    TagEnd::Heading(_)
                    | TagEnd::Paragraph
                    | TagEnd::TableCell
                    | TagEnd::CodeBlock
                    | TagEnd::HtmlBlock,
                ) => {
                    close(
                        &mut open,
                        r.end,
                        &mut prose,
                        &mut blocks,
                        list_depth > 0,
                        quote_depth > 0,
                    );
                }
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }) => {
                    link_stack.push((
                        dest_url.to_string(),
                        r.start,
                        false,
                        link_type,
                        String::new(),
                    ));
                }
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    ..
                }) => {
                    link_stack.push((
                        dest_url.to_string(),
                        r.start,
                        true,
                        link_type,
                        String::new(),
                    ));
                }
                Event::End(TagEnd::Link | TagEnd::Image) => {
                    if let Some((url, start, is_image, _, text)) = link_stack.pop() {
                        links.push(Link {
                            url,
                            text,
                            source: start..r.end,
                            is_image,
                        });
                    }
                }
                Event::Text(t) => {
                    if let Some(l) = link_stack.last_mut() {
                        l.4.push_str(&t);
                        // Alt text and autolinks are not prose; a link's text is.
                        if l.2 || matches!(l.3, LinkType::Autolink | LinkType::Email) {
                            continue;
                        }
                    }
                    match open {
                        Some((BlockKind::Code | BlockKind::Html, ..)) => {}
                        Some(_) => push_text(&mut prose, &self.source, &t, r.start),
                        None => {}
                    }
                }
                Event::Code(t) => {
                    if let Some(l) = link_stack.last_mut() {
                        l.4.push_str(&t);
                    }
                    // Inline code is not prose; keep a placeholder so words do not merge.
                    if open.is_some() {
                        prose.push_gap(" ");
                    }
                }
                Event::SoftBreak | Event::HardBreak if open.is_some() => {
                    prose.push_gap(" ");
                }
                _ => {}
            }
        }
        self.prose = prose;
        self.blocks = blocks;
        self.links = links;
    }

    /// A span from source byte offsets.
    pub fn span(&self, start: usize, end: usize) -> Span {
        let (line, column) = self.lines.line_col(&self.source, start);
        Span {
            start: start as u32,
            end: end.max(start) as u32,
            line,
            column,
        }
    }

    /// A span from prose offsets.
    pub fn prose_span(&self, start: usize, end: usize) -> Span {
        let s = self.prose.to_source(start);
        let e = if end > start {
            // Map the start of the last character, not its last byte: "49€" ends 3 bytes after "€" starts.
            let last = self.prose.text[..end]
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
            self.prose.to_source(end - last) + last
        } else {
            s
        };
        self.span(s, e.max(s))
    }

    pub fn headings(&self) -> impl Iterator<Item = (u8, &Block)> {
        self.blocks.iter().filter_map(|b| match b.kind {
            BlockKind::Heading(l) => Some((l, b)),
            _ => None,
        })
    }

    pub fn block_text(&self, b: &Block) -> &str {
        &self.prose.text[b.prose.clone()]
    }

    /// The Markdown body without the front matter.
    pub fn body(&self) -> &str {
        &self.source[self.body_start..]
    }
}

fn heading(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Adds text to the prose, leaving out bare URLs, mapped to its source bytes when the
/// source holds it verbatim (escapes and entities map to the start of their run).
fn push_text(prose: &mut Prose, source: &str, t: &str, start: usize) {
    let verbatim = source.get(start..start + t.len()) == Some(t);
    if !verbatim {
        prose.segments.push((prose.text.len(), start, 0));
        prose.text.push_str(t);
        return;
    }
    let mut last = 0;
    for (i, word) in t.split_inclusive(char::is_whitespace).scan(0, |pos, w| {
        let at = *pos;
        *pos += w.len();
        Some((at, w))
    }) {
        let w = word.trim_end();
        if w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www.") {
            prose.push_source(&t[last..i], start + last);
            prose.push_gap(&" ".repeat(w.len()));
            last = i + w.len();
        }
    }
    prose.push_source(&t[last..], start + last);
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = "---\ntitle: T\nlang: de\n---\n# Wärmepumpe im Altbau\n\nDie **Wärmepumpe** heizt `code` gut. Siehe https://example.org jetzt.\n\n- Punkt eins\n- Punkt [zwei](/produkte/x)\n\n> Zitat hier\n\n```\nfn main() {}\n```\n\n![Außeneinheit im Garten](bilder/a.jpg)\n";

    #[test]
    fn blocks_prose_and_links() {
        let d = Document::parse(MD, Lang::En);
        assert_eq!(d.lang, Lang::De);
        let kinds: Vec<_> = d.blocks.iter().map(|b| b.kind).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Heading(1),
                BlockKind::Paragraph,
                BlockKind::ListItem,
                BlockKind::ListItem,
                BlockKind::Paragraph,
                BlockKind::Code,
                BlockKind::Paragraph
            ]
        );
        assert_eq!(d.block_text(&d.blocks[0]), "Wärmepumpe im Altbau");
        let p = d.block_text(&d.blocks[1]);
        assert!(p.starts_with("Die Wärmepumpe heizt   gut."), "{p:?}");
        assert!(!p.contains("example.org") && !p.contains("code"), "{p:?}");
        assert!(d.blocks[4].in_quote);
        assert_eq!(d.block_text(&d.blocks[5]), "");
        assert_eq!(d.links.len(), 2);
        assert_eq!(d.links[0].url, "/produkte/x");
        assert!(d.links[1].is_image && d.links[1].text == "Außeneinheit im Garten");
    }

    #[test]
    fn prose_offsets_map_back_to_the_source() {
        let d = Document::parse(MD, Lang::De);
        for word in ["heizt", "Punkt eins", "zwei", "Zitat"] {
            let p = d.prose.text.find(word).unwrap();
            let span = d.prose_span(p, p + word.len());
            assert_eq!(&d.source[span.start as usize..span.end as usize], word);
        }
        // Across inline markup the span covers the markup too.
        let p = d.prose.text.find("Wärmepumpe heizt").unwrap();
        let span = d.prose_span(p, p + "Wärmepumpe heizt".len());
        assert_eq!(
            &d.source[span.start as usize..span.end as usize],
            "Wärmepumpe** heizt"
        );
        let p = d.prose.text.find("Zitat").unwrap();
        let span = d.prose_span(p, p + 5);
        assert_eq!((span.line, span.column), (12, 3));
        // A span that ends in a multi-byte character ends right after it.
        let d = Document::parse("Nur 49€ im Monat.", Lang::De);
        let span = d.prose_span(4, 4 + "49€".len());
        assert_eq!(&d.source[span.start as usize..span.end as usize], "49€");
    }

    #[test]
    fn broken_front_matter_is_a_finding_and_the_body_still_parses() {
        let d = Document::parse("---\ntitle: [x\n---\nText hier.\n", Lang::De);
        assert_eq!(d.problems.len(), 1);
        assert_eq!(d.problems[0].code, "doc.front_matter");
        assert_eq!(d.problems[0].span.line, 2);
        assert_eq!(d.block_text(&d.blocks[0]), "Text hier.");
    }
}
