//! HTML: the visible text, block by block, with `h1`–`h6` as headings. Scripts, styles,
//! navigation and other invisible or boilerplate parts are left out. The tokenizer is
//! html5ever's (the WHATWG algorithm), so entities, unclosed tags and raw-text elements
//! behave as in a browser; text extraction needs no tree.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use imprimatur_check::Lang;

use super::{collapse_whitespace, BlockKind, Extracted, Format, Metadata, TextBuilder};

/// Elements whose content is not part of the readable page.
const SKIPPED: &[&str] = &[
    "script", "style", "nav", "noscript", "template", "svg", "math", "iframe", "object", "button",
    "select", "datalist", "head",
];

/// Elements that start and end a block of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "dt",
    "dd",
    "tr",
    "blockquote",
    "pre",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "figcaption",
    "caption",
    "table",
    "ul",
    "ol",
    "dl",
    "form",
    "address",
    "details",
    "summary",
    "fieldset",
    "legend",
    "body",
    "hr",
    "figure",
];

pub(super) fn extract(source: &str) -> Extracted {
    let sink = Sink::default();
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(source));
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    // The tokenizer pauses only for an encoding hint (the text is already UTF-8) or a
    // script to run (never asked for): go on until the input is used up.
    while !matches!(tokenizer.feed(&input), html5ever::TokenizerResult::Done) {}
    tokenizer.end();
    let mut state = tokenizer.sink.state.into_inner();
    state.flush();
    let title = state
        .title
        .map(|t| collapse_whitespace(&t))
        .filter(|t| !t.is_empty())
        .or_else(|| {
            state.out.blocks.iter().find_map(|b| match &b.kind {
                BlockKind::Heading { level: 1, title } => Some(title.clone()),
                _ => None,
            })
        });
    Extracted {
        format: Format::Html,
        text: state.out.text,
        blocks: state.out.blocks,
        meta: Metadata {
            title,
            lang: state.lang,
            ..Metadata::default()
        },
        pages: Vec::new(),
        warnings: Vec::new(),
    }
}

#[derive(Default)]
struct Sink {
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    out: TextBuilder,
    /// Text of the block being read.
    current: String,
    /// The heading level of the block being read.
    heading: Option<u8>,
    /// Open skipped elements (their names), innermost last.
    skipping: Vec<String>,
    /// Inside `<pre>`: white space is kept.
    pre: usize,
    in_title: bool,
    title: Option<String>,
    lang: Option<Lang>,
    /// A cell was already written in the current table row.
    cell_in_row: bool,
}

impl State {
    fn flush(&mut self) {
        let text = if self.pre > 0 {
            self.current.trim().to_string()
        } else {
            collapse_whitespace(&self.current)
        };
        match self.heading {
            Some(level) => self.out.push(
                BlockKind::Heading {
                    level,
                    title: text.clone(),
                },
                &text,
            ),
            None => self.out.push(BlockKind::Body, &text),
        }
        self.current.clear();
    }

    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name: &str = &tag.name;
        let start = tag.kind == TagKind::StartTag;
        if !self.skipping.is_empty() {
            if !start && self.skipping.last().is_some_and(|s| s == name) {
                self.skipping.pop();
            } else if start && SKIPPED.contains(&name) && !tag.self_closing {
                self.skipping.push(name.to_string());
            }
            // `<title>` lives in the skipped `<head>`.
            if name == "title" {
                self.in_title = start;
            }
            return raw_kind(name, start);
        }
        if name == "html" && start {
            self.lang = tag
                .attrs
                .iter()
                .find(|a| &*a.name.local == "lang")
                .and_then(|a| Lang::parse(a.value.split('-').next().unwrap_or_default()));
        }
        if name == "title" {
            self.in_title = start;
            return raw_kind(name, start);
        }
        if start && SKIPPED.contains(&name) && !tag.self_closing {
            self.flush();
            self.skipping.push(name.to_string());
            return raw_kind(name, start);
        }
        if let Some(level) = heading_level(name) {
            self.flush();
            self.heading = start.then_some(level);
            return TokenSinkResult::Continue;
        }
        match name {
            "br" => self.current.push('\n'),
            "td" | "th" if start => {
                if self.cell_in_row && !self.current.trim().is_empty() {
                    self.current.push_str(" | ");
                }
                self.cell_in_row = true;
            }
            "img" if start => {
                // Alt text is what a reader without the image reads.
                if let Some(alt) = tag.attrs.iter().find(|a| &*a.name.local == "alt") {
                    self.current.push(' ');
                    self.current.push_str(&alt.value);
                    self.current.push(' ');
                }
            }
            _ if BLOCKS.contains(&name) => {
                self.flush();
                if name == "tr" {
                    self.cell_in_row = false;
                }
                if name == "pre" {
                    self.pre = if start {
                        self.pre + 1
                    } else {
                        self.pre.saturating_sub(1)
                    };
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn raw_kind(name: &str, start: bool) -> TokenSinkResult<()> {
    if !start {
        return TokenSinkResult::Continue;
    }
    match name {
        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
        "style" | "noscript" | "iframe" => TokenSinkResult::RawData(RawKind::Rawtext),
        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
        _ => TokenSinkResult::Continue,
    }
}

fn heading_level(name: &str) -> Option<u8> {
    match name {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.state.borrow_mut();
        match token {
            Token::TagToken(tag) => return state.tag(&tag),
            Token::CharacterTokens(text) => {
                if state.in_title {
                    state.title.get_or_insert_with(String::new).push_str(&text);
                } else if state.skipping.is_empty() {
                    state.current.push_str(&text);
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outline(x: &Extracted) -> Vec<String> {
        x.blocks
            .iter()
            .map(|b| match &b.kind {
                BlockKind::Heading { level, title } => format!("h{level} {title}"),
                BlockKind::Body => format!("p {}", &x.text[b.range.clone()]),
            })
            .collect()
    }

    #[test]
    fn visible_text_with_headings() {
        let html = r#"<!DOCTYPE html><html lang="de-DE"><head><title>Förderung &amp; Zuschuss</title>
<style>p { color: red }</style><script>var x = "<p>nicht sichtbar</p>";</script></head>
<body><nav><a href="/">Start</a> <a href="/x">Produkte</a></nav>
<h1>Förderung für  Ihre
Wärmepumpe</h1><p>Bis zu <strong>70&nbsp;%</strong> Zuschuss.<br>Neue Zeile.</p>
<ul><li>Grundförderung: 30 %</li><li>Bonus: 20 %</li></ul>
<h2>Tabelle</h2><table><tr><th>Modell</th><th>Preis</th></tr><tr><td>AlbAir 6</td><td>9.890,00 €</td></tr></table>
<p>Unclosed <em>paragraph
<script>alert(1)</script></body></html>"#;
        let x = extract(html);
        assert_eq!(
            outline(&x),
            [
                "h1 Förderung für Ihre Wärmepumpe",
                "p Bis zu 70\u{a0}% Zuschuss. Neue Zeile.",
                "p Grundförderung: 30 %",
                "p Bonus: 20 %",
                "h2 Tabelle",
                "p Modell | Preis",
                "p AlbAir 6 | 9.890,00 €",
                "p Unclosed paragraph",
            ]
        );
        assert_eq!(x.meta.title.as_deref(), Some("Förderung & Zuschuss"));
        assert_eq!(x.meta.lang, Some(Lang::De));
        assert!(!x.text.contains("nicht sichtbar") && !x.text.contains("Produkte"));
    }
}
