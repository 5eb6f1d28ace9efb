//! Quantities, dates and names in German and English text, normalised so that
//! `1.299,00 €`, `1299 Euro` and `€1,299.00` compare equal, `2–3 Werktage` is a range
//! of days, and `3. März 2026` and `3 March 2026` are the same date.

use std::ops::Range;
use std::sync::LazyLock;

use imprimatur_check::Lang;
use regex::Regex;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The unit of a quantity after normalisation: durations are in days, powers in kW,
/// masses in kg, lengths in metres, dates are `yyyymmdd` (`dd` = 0 for a month).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Euro,
    Percent,
    Kilowatt,
    KilowattHour,
    Decibel,
    Celsius,
    Kilogram,
    Volt,
    Metre,
    SquareMetre,
    Litre,
    /// A duration in days (weeks, months and years converted).
    Days,
    /// Hours and minutes, in hours.
    Hours,
    /// A calendar date, `yyyymmdd`.
    Date,
    /// A calendar year on its own ("seit 2012").
    Year,
    /// A count of something: the noun that follows says what ("38 Mitarbeitende").
    Count,
    /// A bare number without unit or noun ("SCOP von 4,9").
    Number,
}

impl Unit {
    /// What kind of claim a value of this unit makes.
    pub fn kind(self) -> crate::ClaimKind {
        use crate::ClaimKind as K;
        match self {
            Unit::Euro => K::Price,
            Unit::Percent => K::Percentage,
            Unit::Date | Unit::Year => K::Date,
            Unit::Days | Unit::Hours => K::Duration,
            Unit::Count | Unit::Number => K::Number,
            _ => K::Specification,
        }
    }
}

/// One normalised value in the text: a number or a range `low..=high`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Quantity {
    /// Byte range in the text it was found in.
    #[ts(type = "[number, number]")]
    pub span: Range<usize>,
    pub low: f64,
    pub high: f64,
    pub unit: Unit,
    /// For [`Unit::Count`]: the counted noun, lower-cased.
    pub noun: Option<String>,
}

impl Quantity {
    pub fn is_range(&self) -> bool {
        self.low != self.high
    }

    /// Same unit family (a count of the same noun) so that the values can be compared.
    pub fn comparable(&self, other: &Quantity) -> bool {
        let count_like = |u: Unit| matches!(u, Unit::Count | Unit::Number);
        if count_like(self.unit) && count_like(other.unit) {
            // "38 Mitarbeitende" against "Mitarbeitende: 38": the context decides.
            return match (&self.noun, &other.noun) {
                (Some(a), Some(b)) => stem(a) == stem(b),
                _ => true,
            };
        }
        if self.unit != other.unit {
            return false;
        }
        true
    }

    /// Whether `self` (a claim) states what `other` (the source) states: equal values,
    /// equal ranges, or a single value inside the source's range.
    pub fn agrees(&self, other: &Quantity) -> bool {
        let eq = |a: f64, b: f64| {
            if self.unit == Unit::Date || self.unit == Unit::Year {
                a == b
            } else {
                (a - b).abs() <= 1e-6_f64.max(b.abs() * 0.001)
            }
        };
        if eq(self.low, other.low) && eq(self.high, other.high) {
            return true;
        }
        !self.is_range() && other.is_range() && self.low >= other.low && self.low <= other.high
    }

    /// The value as the source or claim wrote it, normalised for display: "12490 €".
    pub fn display(&self) -> String {
        let n = |v: f64| {
            if self.unit == Unit::Date {
                let v = v as i64;
                let (y, m, d) = (v / 10000, v / 100 % 100, v % 100);
                return if d == 0 {
                    format!("{y}-{m:02}")
                } else {
                    format!("{y}-{m:02}-{d:02}")
                };
            }
            if v.fract() == 0.0 {
                format!("{}", v as i64)
            } else {
                format!("{}", (v * 1000.0).round() / 1000.0)
            }
        };
        let value = if self.is_range() {
            format!("{}–{}", n(self.low), n(self.high))
        } else {
            n(self.low)
        };
        let unit = match self.unit {
            Unit::Euro => " €",
            Unit::Percent => " %",
            Unit::Kilowatt => " kW",
            Unit::KilowattHour => " kWh",
            Unit::Decibel => " dB(A)",
            Unit::Celsius => " °C",
            Unit::Kilogram => " kg",
            Unit::Volt => " V",
            Unit::Metre => " m",
            Unit::SquareMetre => " m²",
            Unit::Litre => " l",
            Unit::Days => " d",
            Unit::Hours => " h",
            Unit::Date | Unit::Year | Unit::Number => "",
            Unit::Count => "",
        };
        match (&self.noun, self.unit) {
            (Some(noun), Unit::Count) => format!("{value} {noun}"),
            _ => format!("{value}{unit}"),
        }
    }
}

/// A product, model or other proper name: `AlbAir 9`, `AlbControl`, `R290`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Name {
    #[ts(type = "[number, number]")]
    pub span: Range<usize>,
    pub text: String,
}

impl Name {
    /// The family part of a name: `AlbAir` of `AlbAir 9`, `R` of `R290`.
    pub fn family(&self) -> &str {
        family(&self.text)
    }

    /// A model name carries a model number (`AlbAir 9`, `R290`), as opposed to a brand.
    pub fn is_model(&self) -> bool {
        self.text.chars().any(|c| c.is_ascii_digit())
    }
}

pub(crate) fn family(name: &str) -> &str {
    let end = name
        .find(|c: char| c.is_ascii_digit() || c == ' ' || c == '\u{a0}')
        .unwrap_or(name.len());
    name[..end].trim_end()
}

/// A word's comparison stem: lower case, umlauts folded, at most six characters, so
/// "Wartungsvertrags" and "Wartungsvertrag", "Preise" and "Preis" meet.
pub(crate) fn stem(word: &str) -> String {
    let mut s: String = word
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'ß' => 's',
            c => c,
        })
        .collect();
    for suffix in ["en", "es", "er", "e", "s", "n"] {
        if s.chars().count() > 5 && s.ends_with(suffix) {
            s.truncate(s.len() - suffix.len());
            break;
        }
    }
    s.chars().take(8).collect()
}

const MONTHS_DE: &[&str] = &[
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
];
const MONTHS_EN: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(word: &str) -> Option<u32> {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    let hit = |list: &[&str]| {
        list.iter().position(|m| {
            *m == w || (w.len() >= 3 && m.starts_with(w) && w.len() < m.len() && w.len() == 3)
        })
    };
    hit(MONTHS_DE)
        .or_else(|| hit(MONTHS_EN))
        .or(if w == "jänner" { Some(0) } else { None })
        .map(|i| i as u32 + 1)
}

const NUMBER_WORDS_DE: &[&str] = &[
    "null", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn",
    "elf", "zwölf",
];
const NUMBER_WORDS_EN: &[&str] = &[
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve",
];

fn number_word(word: &str) -> Option<f64> {
    let w = word.to_lowercase();
    let base = match w.as_str() {
        "eine" | "einen" | "einem" | "einer" | "eins" => "ein",
        "zweier" => "zwei",
        "anderthalb" => return Some(1.5),
        "halbes" | "halben" | "half" => return Some(0.5),
        "a" | "an" => "one",
        other => other,
    };
    NUMBER_WORDS_DE
        .iter()
        .position(|n| *n == base)
        .or_else(|| NUMBER_WORDS_EN.iter().position(|n| *n == base))
        .map(|i| i as f64)
}

static NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{1,3}(?:[.,\u{202F}\u{A0}]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?").unwrap()
});

static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[\p{L}]+").unwrap());

static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:[A-Z][a-zäöü]+[A-Z][A-Za-zäöü]*(?:[ \u{A0}]\d{1,4}[A-Za-z]?\b)?|[A-Z]{1,2}\d{2,4}\b)",
    )
    .unwrap()
});

static DATE_NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b").unwrap()
});

/// Parses a number token by the text's language: German `1.299,00`, English `1,299.00`.
fn parse_number(token: &str, lang: Lang) -> Option<f64> {
    let t: String = token
        .chars()
        .filter(|c| *c != '\u{202F}' && *c != '\u{a0}')
        .collect();
    let (thousands, decimal) = match lang {
        Lang::De => ('.', ','),
        Lang::En => (',', '.'),
    };
    let has_dot = t.contains('.');
    let has_comma = t.contains(',');
    let normal = if has_dot && has_comma {
        // Both: the later one is the decimal separator, whatever the language.
        let last = t.rfind(['.', ',']).unwrap_or(0);
        let dec = t.as_bytes()[last] as char;
        t.chars()
            .enumerate()
            .filter_map(|(i, c)| {
                if i == last {
                    Some('.')
                } else if c == '.' || c == ',' {
                    None
                } else {
                    Some(c)
                }
            })
            .collect::<String>()
            .replace(dec, ".")
    } else if has_dot || has_comma {
        let sep = if has_dot { '.' } else { ',' };
        let groups: Vec<&str> = t.split(sep).collect();
        let thousands_like = groups.len() > 1 && groups[1..].iter().all(|g| g.len() == 3);
        if sep == thousands && thousands_like {
            t.replace(sep, "")
        } else if sep == decimal || !thousands_like {
            t.replace(sep, ".")
        } else {
            t.replace(sep, "")
        }
    } else {
        t
    };
    normal.parse().ok()
}

/// A unit word or sign after a number: the unit, a factor into the normalised unit, and
/// the bytes it takes.
fn unit_after(rest: &str) -> Option<(Unit, f64, usize)> {
    let trimmed = rest.trim_start_matches([' ', '\u{a0}', '\u{202F}']);
    let skip = rest.len() - trimmed.len();
    if skip > 1 && !rest.starts_with('\u{a0}') && !rest.starts_with('\u{202F}') {
        return None;
    }
    let lower = trimmed.to_lowercase();
    // Longest first: "kWh" before "kW", "m²" before "m".
    const TABLE: &[(&str, Unit, f64, bool)] = &[
        ("€", Unit::Euro, 1.0, false),
        ("euro", Unit::Euro, 1.0, true),
        ("eur", Unit::Euro, 1.0, true),
        ("%", Unit::Percent, 1.0, false),
        ("prozent", Unit::Percent, 1.0, true),
        ("percent", Unit::Percent, 1.0, true),
        ("per cent", Unit::Percent, 1.0, true),
        ("kwh", Unit::KilowattHour, 1.0, true),
        ("kw", Unit::Kilowatt, 1.0, true),
        ("kilowatt", Unit::Kilowatt, 1.0, true),
        ("db(a)", Unit::Decibel, 1.0, false),
        ("db", Unit::Decibel, 1.0, true),
        ("dezibel", Unit::Decibel, 1.0, true),
        ("decibel", Unit::Decibel, 1.0, true),
        ("°c", Unit::Celsius, 1.0, false),
        ("° c", Unit::Celsius, 1.0, false),
        ("grad celsius", Unit::Celsius, 1.0, true),
        ("grad", Unit::Celsius, 1.0, true),
        ("degrees", Unit::Celsius, 1.0, true),
        ("kg", Unit::Kilogram, 1.0, true),
        ("kilogramm", Unit::Kilogram, 1.0, true),
        ("kilograms", Unit::Kilogram, 1.0, true),
        ("volt", Unit::Volt, 1.0, true),
        ("v", Unit::Volt, 1.0, true),
        ("m²", Unit::SquareMetre, 1.0, false),
        ("qm", Unit::SquareMetre, 1.0, true),
        ("quadratmeter", Unit::SquareMetre, 1.0, true),
        ("square metres", Unit::SquareMetre, 1.0, true),
        ("square meters", Unit::SquareMetre, 1.0, true),
        ("mm", Unit::Metre, 0.001, true),
        ("cm", Unit::Metre, 0.01, true),
        ("km", Unit::Metre, 1000.0, true),
        ("kilometer", Unit::Metre, 1000.0, true),
        ("kilometres", Unit::Metre, 1000.0, true),
        ("metern", Unit::Metre, 1.0, true),
        ("meter", Unit::Metre, 1.0, true),
        ("metres", Unit::Metre, 1.0, true),
        ("m", Unit::Metre, 1.0, true),
        ("litern", Unit::Litre, 1.0, true),
        ("liter", Unit::Litre, 1.0, true),
        ("litres", Unit::Litre, 1.0, true),
        ("l", Unit::Litre, 1.0, true),
        ("werktagen", Unit::Days, 1.0, true),
        ("werktage", Unit::Days, 1.0, true),
        ("werktag", Unit::Days, 1.0, true),
        ("arbeitstage", Unit::Days, 1.0, true),
        ("arbeitstagen", Unit::Days, 1.0, true),
        ("working days", Unit::Days, 1.0, true),
        ("working day", Unit::Days, 1.0, true),
        ("business days", Unit::Days, 1.0, true),
        ("tagen", Unit::Days, 1.0, true),
        ("tage", Unit::Days, 1.0, true),
        ("tag", Unit::Days, 1.0, true),
        ("days", Unit::Days, 1.0, true),
        ("day", Unit::Days, 1.0, true),
        ("wochen", Unit::Days, 7.0, true),
        ("woche", Unit::Days, 7.0, true),
        ("weeks", Unit::Days, 7.0, true),
        ("week", Unit::Days, 7.0, true),
        ("monaten", Unit::Days, 30.0, true),
        ("monate", Unit::Days, 30.0, true),
        ("monat", Unit::Days, 30.0, true),
        ("months", Unit::Days, 30.0, true),
        ("month", Unit::Days, 30.0, true),
        ("jahren", Unit::Days, 365.0, true),
        ("jahre", Unit::Days, 365.0, true),
        ("jahr", Unit::Days, 365.0, true),
        ("years", Unit::Days, 365.0, true),
        ("year", Unit::Days, 365.0, true),
        ("stunden", Unit::Hours, 1.0, true),
        ("stunde", Unit::Hours, 1.0, true),
        ("hours", Unit::Hours, 1.0, true),
        ("hour", Unit::Hours, 1.0, true),
        ("minuten", Unit::Hours, 1.0 / 60.0, true),
        ("minutes", Unit::Hours, 1.0 / 60.0, true),
    ];
    for &(word, unit, factor, needs_boundary) in TABLE {
        if let Some(after) = lower.strip_prefix(word) {
            if needs_boundary && after.chars().next().is_some_and(|c| c.is_alphanumeric()) {
                continue;
            }
            // "Jahre alt" is an age, still a duration; "pro Jahr" follows a price, not here.
            return Some((unit, factor, skip + word.len()));
        }
    }
    None
}

/// The noun after a bare count: "38 Mitarbeitende" → "mitarbeitende".
fn noun_after(rest: &str) -> Option<String> {
    let t = rest.strip_prefix(' ')?;
    let m = WORD.find(t)?;
    if m.start() != 0 || m.as_str().chars().count() < 3 {
        return None;
    }
    let w = m.as_str();
    const NOT_NOUNS: &[&str] = &[
        "und", "oder", "bis", "bzw", "auf", "von", "mit", "the", "and", "for", "bei", "pro", "ist",
        "sind", "im", "in", "to", "or", "auf", "uhr", "als", "than", "per", "jeweils",
    ];
    if NOT_NOUNS.contains(&w.to_lowercase().as_str()) {
        return None;
    }
    Some(w.to_lowercase())
}

/// Names in `text`: model names (`AlbAir 9`), CamelCase brands (`AlbControl`) and codes
/// (`R290`), not the parts of axis labels such as `A7/W35`.
pub fn names(text: &str) -> Vec<Name> {
    NAME.find_iter(text)
        .filter(|m| {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            !matches!(before, Some('/' | '-')) && !matches!(after, Some('/'))
        })
        .map(|m| Name {
            span: m.range(),
            text: m.as_str().replace('\u{a0}', " "),
        })
        .collect()
}

/// Every quantity in `text`, in order. Numbers that are parts of names (`AlbAir 9`),
/// codes (`R290`, `DIN EN 12831`), times (`22:00`), phone numbers, citation marks
/// (`[2]`), list numbers and ordinals are left out.
pub fn quantities(text: &str, lang: Lang) -> Vec<Quantity> {
    let mut out: Vec<Quantity> = Vec::new();
    let name_spans: Vec<Range<usize>> = names(text).into_iter().map(|n| n.span).collect();
    let mut taken: Vec<Range<usize>> = Vec::new();

    // Dates first, so that their numbers are not read again.
    for d in dates(text) {
        taken.push(d.span.clone());
        out.push(d);
    }

    let numbers: Vec<(Range<usize>, f64)> = NUMBER
        .find_iter(text)
        .filter_map(|m| parse_number(m.as_str(), lang).map(|v| (m.range(), v)))
        .collect();
    let mut i = 0;
    while i < numbers.len() {
        let (r, v) = numbers[i].clone();
        i += 1;
        if taken.iter().any(|t| t.start <= r.start && r.end <= t.end)
            || name_spans
                .iter()
                .any(|n| n.start <= r.start && r.end <= n.end)
            || is_excluded(text, &r)
        {
            continue;
        }
        let mut span = r.clone();
        let low = v;
        let mut high = v;
        // A currency sign before the number: "€12,490.00", "EUR 289".
        let before = text[..r.start].trim_end_matches([' ', '\u{a0}']);
        let euro_before = before.ends_with('€') || before.ends_with("EUR");
        if euro_before {
            span.start = before.len()
                - if before.ends_with('€') {
                    '€'.len_utf8()
                } else {
                    3
                };
        }
        // A range: "2–3", "2 - 3", "30 bis 35", "4 to 6".
        let mut rest_at = r.end;
        if let Some((next_r, next_v)) = numbers.get(i).cloned() {
            let gap = &text[r.end..next_r.start];
            let g = gap.trim().to_lowercase();
            let g = g.trim_start_matches('€').trim_start_matches('%').trim();
            let is_range = matches!(g, "–" | "-" | "—" | "bis" | "to" | "bis zu" | "und" | "and")
                && gap.len() <= 8
                && (g != "und" && g != "and" || preceded_by_between(text, r.start));
            if is_range && next_v >= v && !is_excluded(text, &next_r) {
                high = next_v;
                rest_at = next_r.end;
                span.end = next_r.end;
                i += 1;
            }
        }
        let rest = &text[rest_at..];
        let noun: Option<String> = None;
        let unit = if euro_before {
            Some((Unit::Euro, 1.0, 0))
        } else {
            unit_after(rest)
        };
        let (unit, factor) = match unit {
            Some((u, f, len)) => {
                span.end = rest_at + len;
                (u, f)
            }
            None => {
                // Big unformatted integers without a unit are identifiers (postcodes,
                // register numbers), not counts.
                let token = &text[r.clone()];
                if token.len() >= 5 && token.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                // A year on its own: four digits between 1900 and 2100, unformatted.
                let token = &text[r.clone()];
                if high == low
                    && token.len() == 4
                    && token.chars().all(|c| c.is_ascii_digit())
                    && (1900.0..=2100.0).contains(&v)
                {
                    out.push(Quantity {
                        span,
                        low: v,
                        high: v,
                        unit: Unit::Year,
                        noun: None,
                    });
                    continue;
                }
                match noun.or_else(|| noun_after(rest)) {
                    Some(n) => {
                        let is_word_unit = n.chars().next().is_some_and(char::is_lowercase)
                            && lang == Lang::De
                            && !text[rest_at..].trim_start().starts_with(char::is_uppercase);
                        if is_word_unit && lang == Lang::De {
                            // German nouns are capitalised: a lower-case word is not what
                            // is counted ("3 mal", "5 weitere"), keep the number bare.
                            (Unit::Number, 1.0)
                        } else {
                            out.push(Quantity {
                                span,
                                low,
                                high,
                                unit: Unit::Count,
                                noun: Some(n),
                            });
                            continue;
                        }
                    }
                    None => (Unit::Number, 1.0),
                }
            }
        };
        out.push(Quantity {
            span,
            low: low * factor,
            high: high * factor,
            unit,
            noun: None,
        });
    }
    // Spelled-out numbers before a unit: "zwei bis drei Werktage", "five years".
    for m in WORD.find_iter(text) {
        let Some(v) = number_word(m.as_str()) else {
            continue;
        };
        if matches!(
            m.as_str(),
            "a" | "an" | "A" | "An" | "ein" | "eine" | "einen" | "einem" | "einer" | "Ein" | "Eine"
        ) {
            // Articles: only "ein Jahr"-like durations would count; too ambiguous to check.
            continue;
        }
        if out
            .iter()
            .any(|q| q.span.start <= m.start() && m.end() <= q.span.end)
        {
            continue;
        }
        let mut low = v;
        let mut high = v;
        let mut end = m.end();
        let rest = &text[end..];
        // "zwei bis drei"
        let range_re = rest
            .strip_prefix(" bis ")
            .or_else(|| rest.strip_prefix(" to "))
            .or_else(|| rest.strip_prefix(" oder "))
            .or_else(|| rest.strip_prefix(" or "));
        if let Some(r2) = range_re {
            if let Some(m2) = WORD.find(r2) {
                if m2.start() == 0 {
                    if let Some(v2) = number_word(m2.as_str()) {
                        high = v2.max(v);
                        low = v2.min(v);
                        end = end + (rest.len() - r2.len()) + m2.end();
                    }
                }
            }
        }
        if let Some((unit, factor, len)) = unit_after(&text[end..]) {
            if unit == Unit::Metre || unit == Unit::Litre || unit == Unit::Volt {
                continue; // "ein m" is never meant
            }
            out.push(Quantity {
                span: m.start()..end + len,
                low: low * factor,
                high: high * factor,
                unit,
                noun: None,
            });
        }
    }
    // Lists of values before one unit: "35, 37 bzw. 40 dB(A)", "von 5 auf 10 Jahre".
    out.sort_by_key(|q| q.span.start);
    for k in (0..out.len().saturating_sub(1)).rev() {
        if out[k].unit != Unit::Number {
            continue;
        }
        let next = out[k + 1].clone();
        if matches!(
            next.unit,
            Unit::Number | Unit::Count | Unit::Date | Unit::Year
        ) {
            continue;
        }
        let gap = text[out[k].span.end..next.span.start].trim().to_lowercase();
        if matches!(
            gap.as_str(),
            "," | "und" | "oder" | "bzw." | "auf" | "and" | "or" | "to" | "bis" | "oder auf"
        ) {
            let factor = if next.low != 0.0 {
                // Recover the factor from a value written as in the text.
                let raw = numbers
                    .iter()
                    .find(|(r, _)| r.start >= next.span.start)
                    .map(|(_, v)| *v)
                    .unwrap_or(next.low);
                if raw != 0.0 {
                    next.low / raw
                } else {
                    1.0
                }
            } else {
                1.0
            };
            out[k].unit = next.unit;
            out[k].low *= factor;
            out[k].high *= factor;
        }
    }
    out
}

fn preceded_by_between(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end().to_lowercase();
    before.ends_with("zwischen") || before.ends_with("between")
}

/// Numbers that are not quantities: parts of codes and names, times, phone numbers,
/// citation marks, list numbers and ordinals.
fn is_excluded(text: &str, r: &Range<usize>) -> bool {
    let before = &text[..r.start];
    let after = &text[r.end..];
    let prev = before.chars().next_back();
    let next = after.chars().next();
    if prev.is_some_and(|c| c.is_alphabetic() || matches!(c, '/' | '+' | '_' | ':'))
        || next.is_some_and(|c| c.is_alphabetic() || c == ':' || c == '/')
    {
        return true;
    }
    // "3-Wege", "1960er-Jahre"
    if next == Some('-') && after[1..].starts_with(char::is_alphabetic) {
        return true;
    }
    if prev == Some('[') && next == Some(']') {
        return true;
    }
    if prev == Some('-') && before[..before.len() - 1].ends_with(char::is_alphabetic) {
        return true;
    }
    // Phone numbers: "+49 7000 482910"
    let line_before = before.rsplit('\n').next().unwrap_or(before);
    let tail: String = line_before.chars().rev().take(12).collect();
    if tail.contains('+') && tail.chars().filter(|c| c.is_ascii_digit()).count() >= 2 {
        return true;
    }
    // Codes after an all-caps word: "DIN EN 12831", "HRB 700123", "Nr. 5".
    let prev_word = before
        .trim_end()
        .rsplit([' ', '\n', '('])
        .next()
        .unwrap_or("");
    if prev_word.len() >= 2
        && (prev_word.chars().all(|c| c.is_ascii_uppercase())
            || prev_word == "Nr."
            || prev_word == "No.")
    {
        return true;
    }
    // List numbers and ordinals: "1. Sie vereinbaren", "der 3. Schritt".
    if next == Some('.') && !after[1..].starts_with(|c: char| c.is_ascii_digit()) {
        let line_start = before
            .trim_start_matches(|c: char| c.is_whitespace())
            .is_empty()
            || before.ends_with('\n')
            || before.trim_end_matches([' ', '\t']).ends_with('\n');
        if line_start || after[1..].starts_with(' ') {
            return true;
        }
    }
    false
}

/// Dates: `3. März 2026`, `3 March 2026`, `March 3, 2026`, `März 2026`, `2026-03-03`, `03.03.2026`.
fn dates(text: &str) -> Vec<Quantity> {
    static SPELLED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(?:(\d{1,2})(?:\.|st|nd|rd|th)?[ \u{A0}])?(Januar|Jänner|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|January|February|March|May|June|July|October|December)(?:[ \u{A0}](\d{1,2})(?:st|nd|rd|th)?,)?[ \u{A0}](\d{4})\b",
        )
        .unwrap()
    });
    let mut out = Vec::new();
    for c in SPELLED.captures_iter(text) {
        let Some(m) = month(&c[2]) else { continue };
        let day: u32 = c
            .get(1)
            .or(c.get(3))
            .and_then(|d| d.as_str().parse().ok())
            .unwrap_or(0);
        let year: u32 = c[4].parse().unwrap_or(0);
        let v = f64::from(year * 10000 + m * 100 + day);
        out.push(Quantity {
            span: c.get(0).map_or(0..0, |m| m.range()),
            low: v,
            high: v,
            unit: Unit::Date,
            noun: None,
        });
    }
    for c in DATE_NUMERIC.captures_iter(text) {
        let (y, m, d) = if let Some(y) = c.get(1) {
            (y.as_str(), &c[2], &c[3])
        } else {
            (&c[6], &c[5], &c[4])
        };
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
            continue;
        };
        if !(1..=12).contains(&m) || d > 31 {
            continue;
        }
        let span = c.get(0).map_or(0..0, |m| m.range());
        if out
            .iter()
            .any(|q: &Quantity| q.span.start < span.end && span.start < q.span.end)
        {
            continue;
        }
        let v = f64::from(y * 10000 + m * 100 + d);
        out.push(Quantity {
            span,
            low: v,
            high: v,
            unit: Unit::Date,
            noun: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str, lang: Lang) -> Vec<String> {
        quantities(text, lang)
            .iter()
            .map(Quantity::display)
            .collect()
    }

    #[test]
    fn german_prices_percentages_dates_and_ranges() {
        assert_eq!(
            q("Das Gerät kostet 1.299,00 € inkl. 15 % Rabatt.", Lang::De),
            ["1299 €", "15 %"]
        );
        assert_eq!(q("gültig ab 3. März 2026", Lang::De), ["2026-03-03"]);
        assert_eq!(q("Die Montage dauert 2–3 Werktage.", Lang::De), ["2–3 d"]);
        assert_eq!(q("zwei bis drei Werktage", Lang::De), ["2–3 d"]);
        assert_eq!(q("Lieferzeit 4–6 Wochen", Lang::De), ["28–42 d"]);
        assert_eq!(q("Die AlbAir 9 kostet 12.490 Euro.", Lang::De), ["12490 €"]);
        assert_eq!(q("mit 30 bis 35 °C Vorlauf", Lang::De), ["30–35 °C"]);
        assert_eq!(
            q("35, 37 bzw. 40 dB(A)", Lang::De),
            ["35 dB(A)", "37 dB(A)", "40 dB(A)"]
        );
        assert_eq!(q("von 5 auf 10 Jahre", Lang::De), ["1825 d", "3650 d"]);
        assert_eq!(
            q("Wir haben 38 Mitarbeitende.", Lang::De),
            ["38 mitarbeitende"]
        );
        assert_eq!(
            q("seit 2012 mehr als 2.400 Wärmepumpen", Lang::De),
            ["2012", "2400 wärmepumpen"]
        );
        assert_eq!(q("eine Leistungszahl von 4,9", Lang::De), ["4.9"]);
        assert_eq!(q("Füllmenge 0,9 kg", Lang::De), ["0.9 kg"]);
    }

    #[test]
    fn english_formats() {
        assert_eq!(
            q("The unit costs €12,490.00 incl. 19% VAT.", Lang::En),
            ["12490 €", "19 %"]
        );
        assert_eq!(q("valid from 1 January 2026", Lang::En), ["2026-01-01"]);
        assert_eq!(q("from March 1, 2026", Lang::En), ["2026-03-01"]);
        assert_eq!(
            q("installation takes 2–3 working days", Lang::En),
            ["2–3 d"]
        );
        assert_eq!(q("a rated output of 9.0 kW", Lang::En), ["9 kW"]);
    }

    #[test]
    fn numbers_that_are_not_quantities() {
        assert!(q(
            "Die AlbAir 9 nutzt R290 nach DIN EN 12831 bei A7/W35.",
            Lang::De
        )
        .is_empty());
        assert_eq!(
            q(
                "Telefon +49 7000 482914, HRB 700123, 79999 Musterbach",
                Lang::De
            ),
            Vec::<String>::new()
        );
        assert!(q("von 22:00 bis 6:00 Uhr", Lang::De).is_empty());
        assert!(q("1. Sie vereinbaren eine Beratung [2].", Lang::De).is_empty());
        assert!(q("ein 3-Wege-Ventil aus den 1960er-Jahren", Lang::De).is_empty());
    }

    #[test]
    fn names_and_families() {
        let n: Vec<String> = names("Die AlbAir 9 mit AlbControl und R290 bei A7/W35")
            .into_iter()
            .map(|n| n.text)
            .collect();
        assert_eq!(n, ["AlbAir 9", "AlbControl", "R290"]);
        assert_eq!(family("AlbAir 14"), "AlbAir");
        assert_eq!(family("R290"), "R");
    }
}
