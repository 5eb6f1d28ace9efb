//! Title widths in pixels, as search result pages render them, so the SERP preview can cut a
//! title where search engines do.
//!
//! Google sets result titles in Arial: 20 px on desktop (one line, about 600 px wide) and,
//! here, 16 px on mobile (we model its two 300 px lines as one 600 px budget). The widths
//! below are Arial's advance widths in thousandths of an em (Arial is metric-compatible
//! with Helvetica, whose AFM metrics are public); a character's width at `px` is
//! `units × px / 1000`. Characters not in the table (other scripts, emoji) count as an
//! "n" (556). Kerning is ignored: it moves a title by a pixel or two.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Desktop result titles: Arial 20 px, cut at 600 px.
pub const DESKTOP: SerpFont = SerpFont {
    font_px: 20.0,
    max_px: 600.0,
};
/// Mobile result titles: Arial 16 px, 600 px over two lines.
pub const MOBILE: SerpFont = SerpFont {
    font_px: 16.0,
    max_px: 600.0,
};
/// Desktop descriptions: cut at 920 px of Arial 13 px, the budget snippet tools measure for
/// Google's desktop results (about 155–160 characters, yoastseo's 156-character limit).
pub const DESCRIPTION_DESKTOP: SerpFont = SerpFont {
    font_px: 13.0,
    max_px: 920.0,
};
/// Mobile descriptions: cut at 680 px of Arial 13 px (about 120 characters).
pub const DESCRIPTION_MOBILE: SerpFont = SerpFont {
    font_px: 13.0,
    max_px: 680.0,
};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct SerpFont {
    pub font_px: f64,
    pub max_px: f64,
}

/// How a title (or description) shows on one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SerpTitle {
    pub width_px: f64,
    pub max_px: f64,
    /// Byte offset in the title where it is cut, `None` when it fits.
    pub truncate_at: Option<u32>,
    /// What the result page shows: the title, or its cut with " …".
    pub display: String,
}

/// The snippet preview's data: the title (with the site suffix) and the meta description,
/// each as desktop and mobile result pages cut them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SerpPreview {
    pub title: String,
    pub desktop: SerpTitle,
    pub mobile: SerpTitle,
    pub description: String,
    pub description_desktop: SerpTitle,
    pub description_mobile: SerpTitle,
    pub slug: String,
}

/// Arial advance width of `c` in 1/1000 em.
pub fn char_units(c: char) -> u32 {
    match c {
        ' ' | '!' | ',' | '.' | '/' | ':' | ';' | '[' | ']' | '\\' | 'f' | 't' | 'I' | '·' => 278,
        'i' | 'j' | 'l' | '\'' => 222,
        '|' => 260,
        '"' => 355,
        '\u{2019}' | '\u{2018}' | '\u{201A}' => 222,
        '\u{201C}' | '\u{201D}' | '\u{201E}' => 333,
        '(' | ')' | '-' | '`' | 'r' | '\u{00AD}' => 333,
        '{' | '}' => 334,
        '*' => 389,
        '°' => 400,
        '^' => 469,
        '+' | '<' | '=' | '>' | '~' | '×' => 584,
        'c' | 'k' | 's' | 'v' | 'x' | 'y' | 'z' | 'J' => 500,
        'ß' | 'F' | 'T' | 'Z' => 611,
        'm' | 'M' => 833,
        'w' | 'C' | 'D' | 'H' | 'N' | 'R' | 'U' | 'Ü' => 722,
        'A' | 'B' | 'E' | 'K' | 'P' | 'S' | 'V' | 'X' | 'Y' | 'Ä' | '&' => 667,
        'G' | 'O' | 'Q' | 'Ö' => 778,
        'L' => 556,
        'W' => 944,
        '%' => 889,
        '@' => 1015,
        '—' | '…' => 1000,
        '©' | '®' => 737,
        // Digits, most lower-case letters, umlauts ä ö ü, –, €, $, #, ?, _, « and ».
        _ => 556,
    }
}

pub fn width_px(text: &str, font: SerpFont) -> f64 {
    let units: u32 = text.chars().map(char_units).sum();
    (f64::from(units) * font.font_px / 1000.0 * 10.0).round() / 10.0
}

/// Fits `title` into `font.max_px`: search engines cut at the last word boundary that
/// leaves room for " …".
pub fn fit(title: &str, font: SerpFont) -> SerpTitle {
    let width = width_px(title, font);
    if width <= font.max_px {
        return SerpTitle {
            width_px: width,
            max_px: font.max_px,
            truncate_at: None,
            display: title.to_string(),
        };
    }
    let budget = font.max_px - width_px(" …", font);
    let mut used = 0.0;
    let mut cut = 0;
    let mut last_space = None;
    for (i, c) in title.char_indices() {
        let w = f64::from(char_units(c)) * font.font_px / 1000.0;
        if used + w > budget {
            break;
        }
        if c == ' ' {
            last_space = Some(i);
        }
        used += w;
        cut = i + c.len_utf8();
    }
    let at = last_space.unwrap_or(cut);
    let display = format!("{} …", title[..at].trim_end());
    SerpTitle {
        width_px: width,
        max_px: font.max_px,
        truncate_at: Some(at as u32),
        display,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_arial() {
        // "Wärmepumpe": W944 ä556 r333 m833 e556 p556 u556 m833 p556 e556 = 6279 units.
        assert_eq!(width_px("Wärmepumpe", DESKTOP), 125.6);
        assert_eq!(width_px("iiii", DESKTOP), 17.8);
        assert_eq!(width_px("MMMM", DESKTOP), 66.6);
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let t = "Wärmepumpe im Altbau: Was Sie über Vorlauftemperatur, Heizkörper, Dämmung und Kosten wissen müssen";
        let d = fit(t, DESKTOP);
        assert!(d.width_px > 600.0);
        let at = d.truncate_at.unwrap() as usize;
        assert!(t[at..].starts_with(' '), "{}", &t[at..]);
        assert!(d.display.ends_with(" …"));
        assert!(width_px(&d.display, DESKTOP) <= 600.0);
        // Mobile's smaller font fits more of it.
        let m = fit(t, MOBILE);
        assert!(m.truncate_at.unwrap_or(t.len() as u32) > d.truncate_at.unwrap());
        assert_eq!(fit("Kurz", DESKTOP).truncate_at, None);
    }

    #[test]
    fn descriptions_are_cut_shorter_on_mobile() {
        let d = "Passt eine Wärmepumpe im Altbau? Wir erklären Vorlauftemperatur, Heizkörper, Dämmung, Lautstärke und Kosten – mit Rechenbeispiel vom Fachbetrieb.";
        let desk = fit(d, DESCRIPTION_DESKTOP);
        assert_eq!(desk.truncate_at, None, "{} px", desk.width_px);
        let mob = fit(d, DESCRIPTION_MOBILE);
        let at = mob.truncate_at.expect("cut on mobile") as usize;
        assert!(d[at..].starts_with(' '));
        assert!(mob.display.ends_with(" …"));
        assert!(width_px(&mob.display, DESCRIPTION_MOBILE) <= 680.0);
    }
}
