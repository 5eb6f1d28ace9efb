//! Personal data in a prompt: e-mail addresses, phone numbers (German and international
//! formats), IBANs (checksum verified), German postal addresses (street and number,
//! optionally with PLZ and town), and personal names where a title or form of address
//! announces them (Herr, Frau, Dr., Prof., Mr, Ms). Before a cloud call they become
//! placeholders like `[EMAIL_1]`; the answer gets the originals back, also while it streams.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    Email,
    Iban,
    Address,
    Phone,
    Name,
}

impl PiiKind {
    pub fn label(self) -> &'static str {
        match self {
            PiiKind::Email => "EMAIL",
            PiiKind::Iban => "IBAN",
            PiiKind::Address => "ADDRESS",
            PiiKind::Phone => "PHONE",
            PiiKind::Name => "NAME",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PiiMatch {
    pub kind: PiiKind,
    /// Byte offsets in the text.
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The endings of German street names.
macro_rules! street {
    () => {
        "straße|strasse|str\\.|weg|platz|allee|gasse|ring|damm|ufer|chaussee|steig|pfad|markt"
    };
}

struct Patterns {
    email: Regex,
    iban: Regex,
    address: Regex,
    street_prep: Regex,
    phone: Regex,
    name: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| Patterns {
        email: Regex::new(r"(?i)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}\b").unwrap(),
        // Country code, check digits, 11 to 30 alphanumerics, in groups of four or not.
        iban: Regex::new(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b").unwrap(),
        // "Hauptstraße 12a", "Karlsruher Str. 5", "Kaiser-Wilhelm-Straße 3": streets end
        // in the usual German suffixes ("Am Markt 1" or "An der Alb 5" are `street_prep`).
        // A following ", 76131 Karlsruhe" joins the match.
        address: Regex::new(concat!(
            r"(?:\b[A-ZÄÖÜ][\w\-]*(?:er|e)\s(?i:",
            street!(),
            r")|\b[A-ZÄÖÜ][\w\-]*?(?i:",
            street!(),
            r"))\s+\d{1,4}(?:[a-zA-Z]\b)?(?:(?:,\s*|\s+)(?:D-)?\d{5}\s+[A-ZÄÖÜ][\w\-]+(?:\s(?:am|an der|im|bei)\s[A-ZÄÖÜ][\w\-]+)?)?",
        ))
        .unwrap(),
        // Streets without a suffix are named with a preposition and article: "Am Markt 5",
        // "Unter den Linden 12", "An der Alb 3a", "Zur Mühle 8". Dates and quantities in
        // the same shape ("Am Montag 3 Stunden", "Im Jahr 2026") are filtered after the
        // match (see `street_prep_is_address`).
        street_prep: Regex::new(concat!(
            r"\b(?:Am|Im|Beim|Zum|Zur|Vorm|Hinterm|Unterm|Überm|",
            r"(?:An|Auf|In|Unter|Hinter|Vor|Über|Bei|Neben|Zwischen)\s(?:der|dem|den))",
            r"\s([A-ZÄÖÜ][\w\-]+(?:\s[A-ZÄÖÜ][\w\-]+)?)\s+(\d{1,3}[a-z]?)\b",
            r"(?:(?:,\s*|\s+)(?:D-)?\d{5}\s+[A-ZÄÖÜ][\w\-]+)?",
        ))
        .unwrap(),
        // +49 / 0049 / 0 with an area code, then digits with spaces, dashes or slashes;
        // "(0721) 123 45" too; other countries with +CC. Digit counts are checked after.
        phone: Regex::new(
            r"(?:(?:\+|\b00)[1-9]\d{0,2}[\s\-/]?(?:\(0\)[\s\-/]?)?\(?\d{1,5}\)?|\(0\d{2,5}\)|\b0[1-9]\d{1,5})(?:[\s\-/]{0,3}\d){3,12}\b",
        )
        .unwrap(),
        // The name after a form of address or title: one or two capitalised words.
        name: Regex::new(
            r"\b(?:Herrn?|Frau|Hr\.|Fr\.|Dr\.|Prof\.|Mr\.?|Mrs\.?|Ms\.?)(?:\s+(?:Dr\.|Prof\.|med\.|rer\.\s?nat\.|Dipl\.-Ing\.))*\s+([A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?(?:\s+(?:von\s+|van\s+|de\s+)?[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)?)",
        )
        .unwrap(),
    })
}

/// IBAN check: move the first four characters to the end, letters to numbers, mod 97 = 1.
pub fn iban_valid(iban: &str) -> bool {
    let s: String = iban.chars().filter(|c| !c.is_whitespace()).collect();
    if !(15..=34).contains(&s.len()) || !s.is_ascii() {
        return false;
    }
    if s.starts_with("DE") && s.len() != 22 {
        return false;
    }
    let rearranged = format!("{}{}", &s[4..], &s[..4]);
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// Words after a title that are not names ("Frau Ministerin" is a name-less role).
const NOT_NAMES: &[&str] = &[
    "Ministerin",
    "Minister",
    "Bürgermeisterin",
    "Bürgermeister",
    "Kollegin",
    "Kollege",
    "Doktor",
    "Professor",
    "Professorin",
    "Vorsitzende",
    "Vorsitzender",
    "Präsidentin",
    "Präsident",
];

/// Nouns of time and quantity that follow "am/im/zum …" like a street name does.
const NOT_STREETS: &[&str] = &[
    "Jahr",
    "Jahre",
    "Jahren",
    "Monat",
    "Tag",
    "Tage",
    "Woche",
    "Wochenende",
    "Ende",
    "Anfang",
    "Beginn",
    "Schluss",
    "Start",
    "Mittag",
    "Abend",
    "Morgen",
    "Vormittag",
    "Nachmittag",
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
    "Quartal",
    "Halbjahr",
    "Schnitt",
    "Durchschnitt",
    "Vergleich",
    "Vorjahr",
    "Kapitel",
    "Abschnitt",
    "Absatz",
    "Punkt",
    "Schritt",
    "Rahmen",
    "Bereich",
    "Moment",
    "Zeitraum",
    "Rang",
    "Platz",
    "Stand",
    "Minute",
    "Stunde",
    "Sekunde",
    "Prozent",
    "Grad",
    "Folgenden",
    "Wesentlichen",
    "Einzelnen",
    "Ganzen",
    "Übrigen",
    "Januar",
];

/// Words after the number that make "Am Montag 3 Stunden" a quantity, not an address.
const NOT_AFTER: &[&str] = &[
    "uhr",
    "%",
    "prozent",
    "stunden",
    "stunde",
    "minuten",
    "minute",
    "sekunden",
    "tage",
    "tagen",
    "wochen",
    "monate",
    "monaten",
    "jahre",
    "jahren",
    "mal",
    "euro",
    "€",
    "kw",
    "mw",
    "kwh",
    "mwh",
    "km",
    "m",
    "grad",
    "°",
    "anlagen",
    "haushalte",
    "mitarbeiter",
    "personen",
    "teilnehmer",
    "stück",
    "prozentpunkte",
];

/// Whether a preposition-led match ("Am Markt 5") is a street: not a time or quantity
/// noun, not a street with a suffix (the suffix pattern finds that one from its own
/// start), and not followed by a unit or a decimal.
fn street_prep_is_address(name: &str, after: &str) -> bool {
    let first = name.split_whitespace().next().unwrap_or(name);
    if NOT_STREETS.contains(&first) {
        return false;
    }
    let last = name.rsplit(' ').next().unwrap_or(name).to_lowercase();
    let suffixed = street!()
        .split('|')
        .any(|s| last.ends_with(&s.replace("\\", "")) && last.len() > s.len());
    if suffixed {
        return false;
    }
    if after.starts_with(['.', ',']) && after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let next = after
        .trim_start()
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')' | '!' | '?'))
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_lowercase();
    !NOT_AFTER.contains(&next.as_str())
}

/// Finds personal data, sorted by position, never overlapping (the earlier and, at the
/// same place, the more specific kind wins: e-mail, IBAN, address, phone, name).
pub fn detect(text: &str) -> Vec<PiiMatch> {
    let p = patterns();
    let mut found: Vec<PiiMatch> = Vec::new();
    let push = |found: &mut Vec<PiiMatch>, kind, start, end| {
        found.push(PiiMatch {
            kind,
            start,
            end,
            text: text[start..end].to_string(),
        })
    };
    for m in p.email.find_iter(text) {
        push(&mut found, PiiKind::Email, m.start(), m.end());
    }
    // Account-number-shaped text with a wrong checksum is no IBAN, but its digit groups
    // are no phone number either.
    let mut account_like = Vec::new();
    for m in p.iban.find_iter(text) {
        if iban_valid(m.as_str()) {
            push(&mut found, PiiKind::Iban, m.start(), m.end());
        } else {
            account_like.push(m.range());
        }
    }
    for m in p.address.find_iter(text) {
        push(&mut found, PiiKind::Address, m.start(), m.end());
    }
    for c in p.street_prep.captures_iter(text) {
        let m = c.get(0).expect("the whole match");
        let name = c.get(1).expect("the street name").as_str();
        if street_prep_is_address(name, &text[m.end()..]) {
            push(&mut found, PiiKind::Address, m.start(), m.end());
        }
    }
    for m in p.phone.find_iter(text) {
        let digits = m.as_str().chars().filter(char::is_ascii_digit).count();
        let inside_account = account_like
            .iter()
            .any(|r| m.start() < r.end && r.start < m.end());
        if (7..=15).contains(&digits) && !inside_account {
            push(&mut found, PiiKind::Phone, m.start(), m.end());
        }
    }
    for c in p.name.captures_iter(text) {
        let g = c.get(1).expect("the name group");
        let first = g.as_str().split_whitespace().next().unwrap_or("");
        if !NOT_NAMES.contains(&first) {
            push(&mut found, PiiKind::Name, g.start(), g.end());
        }
    }
    // Stable sort by start keeps the kind order above for equal starts.
    found.sort_by_key(|m| m.start);
    let mut out: Vec<PiiMatch> = Vec::with_capacity(found.len());
    for m in found {
        if out.last().is_some_and(|last| m.start < last.end) {
            continue;
        }
        out.push(m);
    }
    out
}

/// Replaces personal data with placeholders and remembers them, so the same value gets
/// the same placeholder in every message of a call and the answer can be restored.
#[derive(Debug, Default, Clone)]
pub struct Masking {
    by_value: HashMap<String, String>,
    by_placeholder: HashMap<String, String>,
    counts: HashMap<PiiKind, u32>,
    kinds: Vec<PiiKind>,
}

impl Masking {
    pub fn new() -> Masking {
        Masking::default()
    }

    pub fn mask(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for m in detect(text) {
            out.push_str(&text[at..m.start]);
            let placeholder = match self.by_value.get(&m.text) {
                Some(p) => p.clone(),
                None => {
                    let n = self.counts.entry(m.kind).or_insert(0);
                    *n += 1;
                    let p = format!("[{}_{}]", m.kind.label(), n);
                    self.by_value.insert(m.text.clone(), p.clone());
                    self.by_placeholder.insert(p.clone(), m.text.clone());
                    self.kinds.push(m.kind);
                    p
                }
            };
            out.push_str(&placeholder);
            at = m.end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// How many values were replaced.
    pub fn len(&self) -> usize {
        self.by_placeholder.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_placeholder.is_empty()
    }

    /// The kinds replaced, for the audit record (never the values).
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut k: Vec<&'static str> = self.kinds.iter().map(|k| k.label()).collect();
        k.sort_unstable();
        k.dedup();
        k
    }

    /// Puts the original values back for every placeholder in `text`.
    pub fn restore(&self, text: &str) -> String {
        if self.by_placeholder.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('[') {
            out.push_str(&rest[..open]);
            let tail = &rest[open..];
            match tail.find(']') {
                Some(close) if close <= MAX_PLACEHOLDER => {
                    let candidate = &tail[..=close];
                    match self.by_placeholder.get(candidate) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(candidate),
                    }
                    rest = &tail[close + 1..];
                }
                _ => {
                    out.push('[');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A restorer for an answer that arrives in pieces: a placeholder may be split
    /// across two deltas, so text from an unclosed `[` is held back until it closes.
    pub fn stream(&self) -> StreamRestore<'_> {
        StreamRestore {
            masking: self,
            pending: String::new(),
        }
    }
}

/// Longer than any placeholder we make (`[ADDRESS_9999]` is 14 bytes).
const MAX_PLACEHOLDER: usize = 24;

pub struct StreamRestore<'a> {
    masking: &'a Masking,
    pending: String,
}

impl StreamRestore<'_> {
    /// Takes a delta; returns the text that can be shown now.
    pub fn push(&mut self, delta: &str) -> String {
        self.pending.push_str(delta);
        let hold_from = self.pending.rfind('[').filter(|&i| {
            !self.pending[i..].contains(']') && self.pending.len() - i <= MAX_PLACEHOLDER
        });
        let ready = match hold_from {
            Some(i) => {
                let rest = self.pending.split_off(i);
                std::mem::replace(&mut self.pending, rest)
            }
            None => std::mem::take(&mut self.pending),
        };
        self.masking.restore(&ready)
    }

    /// The end of the stream: whatever was held back.
    pub fn finish(&mut self) -> String {
        let rest = std::mem::take(&mut self.pending);
        self.masking.restore(&rest)
    }
}
