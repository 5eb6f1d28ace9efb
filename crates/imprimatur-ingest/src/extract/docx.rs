//! DOCX: the paragraphs of `word/document.xml`, with headings from paragraph styles
//! (`Heading 1`, `Überschrift 1`, `Title`, or an outline level) resolved through
//! `word/styles.xml`; title and language from `docProps/core.xml`.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::Path;

use imprimatur_check::Lang;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{collapse_whitespace, BlockKind, Extracted, Format, Metadata, TextBuilder};
use crate::error::ExtractError;

/// Parts larger than this are not plausible Word text (a zip bomb, say).
const MAX_PART: u64 = 256 * 1024 * 1024;

pub(super) fn extract(path: &Path, bytes: &[u8]) -> Result<Extracted, ExtractError> {
    let broken = |reason: String| ExtractError::Docx {
        path: path.to_path_buf(),
        reason,
    };
    let part = |e: PartError| broken(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| broken(format!("not a zip archive: {e}")))?;
    let document = read_part(&mut zip, "word/document.xml")
        .map_err(part)?
        .ok_or_else(|| broken("it has no word/document.xml; is it a Word document?".into()))?;
    let styles = match read_part(&mut zip, "word/styles.xml").map_err(part)? {
        Some(xml) => heading_styles(&xml).map_err(part)?,
        None => HashMap::new(),
    };
    let core = read_part(&mut zip, "docProps/core.xml").map_err(part)?;
    let out = paragraphs(&document, &styles).map_err(part)?;
    let (mut title, mut lang) = (None, None);
    if let Some(core) = core {
        (title, lang) = core_properties(&core).map_err(part)?;
    }
    let title = title.or_else(|| {
        out.blocks.iter().find_map(|b| match &b.kind {
            BlockKind::Heading { title, .. } => Some(title.clone()),
            BlockKind::Body => None,
        })
    });
    Ok(Extracted {
        format: Format::Docx,
        text: out.text,
        blocks: out.blocks,
        meta: Metadata {
            title,
            lang,
            ..Metadata::default()
        },
        pages: Vec::new(),
        warnings: Vec::new(),
    })
}

/// What is wrong inside the archive, naming the part; it becomes the reason of
/// [`ExtractError::Docx`], which names the file.
#[derive(Debug, thiserror::Error)]
enum PartError {
    #[error("{part}: {source}")]
    Zip {
        part: &'static str,
        source: zip::result::ZipError,
    },
    #[error("{part}: {source}")]
    Read {
        part: &'static str,
        source: std::io::Error,
    },
    #[error("{part}: {source}")]
    Xml {
        part: &'static str,
        source: quick_xml::Error,
    },
}

fn bad_xml(part: &'static str) -> impl FnOnce(quick_xml::Error) -> PartError {
    move |source| PartError::Xml { part, source }
}

fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    part: &'static str,
) -> Result<Option<String>, PartError> {
    let file = match zip.by_name(part) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(source) => return Err(PartError::Zip { part, source }),
    };
    let mut text = String::new();
    file.take(MAX_PART)
        .read_to_string(&mut text)
        .map_err(|source| PartError::Read { part, source })?;
    Ok(Some(text))
}

/// Heading level (1-based) of every paragraph style that is a heading.
fn heading_styles(xml: &str) -> Result<HashMap<String, u8>, PartError> {
    let mut reader = Reader::from_str(xml);
    let mut out = HashMap::new();
    let mut id: Option<String> = None;
    let mut level: Option<u8> = None;
    loop {
        match reader.read_event().map_err(bad_xml("word/styles.xml"))? {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "style" => {
                    id = attr(&e, "styleId");
                    level = None;
                }
                "name" if id.is_some() => {
                    level = attr(&e, "val").and_then(|n| level_from_name(&n)).or(level);
                }
                "outlineLvl" if id.is_some() => {
                    let outline = attr(&e, "val").and_then(|v| v.parse::<u8>().ok());
                    // Level 9 means body text.
                    level = level.or(outline.filter(|&l| l < 9).map(|l| l + 1));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "style" => {
                if let (Some(i), Some(l)) = (id.take(), level.take()) {
                    out.insert(i, l);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// `Heading 2`, `heading 2`, `Überschrift 2`, `Title`, `Titel` → level.
fn level_from_name(name: &str) -> Option<u8> {
    let lower = name.trim().to_lowercase();
    if lower == "title" || lower == "titel" {
        return Some(1);
    }
    let rest = lower
        .strip_prefix("heading")
        .or_else(|| lower.strip_prefix("überschrift"))?;
    rest.trim()
        .parse::<u8>()
        .ok()
        .filter(|l| (1..=9).contains(l))
}

/// Style ids as Word and LibreOffice write them when styles.xml is missing.
fn level_from_style_id(id: &str) -> Option<u8> {
    let lower = id.to_lowercase();
    if lower == "title" {
        return Some(1);
    }
    let rest = lower
        .strip_prefix("heading")
        .or_else(|| lower.strip_prefix("berschrift"))
        .or_else(|| lower.strip_prefix("überschrift"))?;
    rest.parse::<u8>().ok().filter(|l| (1..=9).contains(l))
}

fn paragraphs(xml: &str, styles: &HashMap<String, u8>) -> Result<TextBuilder, PartError> {
    let mut reader = Reader::from_str(xml);
    let mut out = TextBuilder::default();
    let mut current = String::new();
    let mut level: Option<u8> = None;
    let mut in_text = false;
    loop {
        match reader.read_event().map_err(bad_xml("word/document.xml"))? {
            Event::Start(e) => match e.local_name().as_ref() {
                "p" => {
                    current.clear();
                    level = None;
                }
                "t" => in_text = true,
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "pStyle" => {
                    level = attr(&e, "val")
                        .and_then(|s| styles.get(&s).copied().or_else(|| level_from_style_id(&s)));
                }
                "outlineLvl" => {
                    let l = attr(&e, "val").and_then(|v| v.parse::<u8>().ok());
                    level = level.or(l.filter(|&l| l < 9).map(|l| l + 1));
                }
                "tab" => current.push('\t'),
                "br" | "cr" => current.push('\n'),
                _ => {}
            },
            Event::Text(t) if in_text => current.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    current.push(c);
                } else {
                    current.push_str(match &*r {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    let text = collapse_whitespace(&current);
                    match level {
                        Some(level) => out.push(
                            BlockKind::Heading {
                                level,
                                title: text.clone(),
                            },
                            &text,
                        ),
                        None => out.push(BlockKind::Body, &text),
                    }
                    current.clear();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn core_properties(xml: &str) -> Result<(Option<String>, Option<Lang>), PartError> {
    let mut reader = Reader::from_str(xml);
    let (mut title, mut lang) = (None, None);
    let mut field: Option<&'static str> = None;
    loop {
        match reader.read_event().map_err(bad_xml("docProps/core.xml"))? {
            Event::Start(e) => {
                field = match e.local_name().as_ref() {
                    "title" => Some("title"),
                    "language" => Some("language"),
                    _ => None,
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content().trim().to_string();
                match field {
                    Some("title") if !text.is_empty() => title = Some(text),
                    Some("language") => lang = Lang::parse(text.split('-').next().unwrap_or("")),
                    _ => {}
                }
            }
            Event::End(_) => field = None,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((title, lang))
}

fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_names_give_levels() {
        assert_eq!(level_from_name("heading 2"), Some(2));
        assert_eq!(level_from_name("Überschrift 1"), Some(1));
        assert_eq!(level_from_name("Title"), Some(1));
        assert_eq!(level_from_name("Normal"), None);
        assert_eq!(level_from_style_id("berschrift3"), Some(3));
        assert_eq!(level_from_style_id("Heading1"), Some(1));
    }
}
