//! Regular expressions as Vale writes them. Vale uses a .NET-style engine with
//! lookarounds; most rules need none, so each pattern compiles with `regex` (linear time)
//! and only falls back to `fancy-regex` when it uses lookarounds or backreferences.

use std::ops::Range;

#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    /// A linear pattern and, when it has Unicode word boundaries (which keep the regex
    /// DFA off non-ASCII text), a guard without them that picks the blocks to search.
    Fast(regex::Regex, Option<regex::Regex>),
    /// A backtracking pattern and, when one can be derived, a linear-time guard that
    /// matches wherever it can (lookarounds dropped): most texts never reach the backtracker.
    /// With a guard, also the pattern anchored with `\G`: it is tried only where the
    /// guard finds a match can start (see [`Pattern::captures_all`]).
    Fancy(
        fancy_regex::Regex,
        Option<regex::Regex>,
        Option<fancy_regex::Regex>,
    ),
}

/// Why a rule's pattern does not compile, in the words of the regex engine that would
/// have run it (the message ends up in [`crate::StyleError::Regex`] with file and rule).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(String);

impl Pattern {
    pub fn new(source: &str) -> Result<Pattern, PatternError> {
        match regex::Regex::new(source) {
            Ok(re) => {
                let guard = source
                    .contains("\\b")
                    .then(|| superset_source(source))
                    .flatten()
                    .and_then(|g| regex::Regex::new(&g).ok());
                Ok(Pattern::Fast(re, guard))
            }
            Err(fast_err) => fancy_regex::Regex::new(source)
                .map(|re| {
                    let guard = superset_source(source).and_then(|g| regex::Regex::new(&g).ok());
                    let anchored = guard
                        .as_ref()
                        .and_then(|_| fancy_regex::Regex::new(&format!(r"\G(?:{source})")).ok());
                    Pattern::Fancy(re, guard, anchored)
                })
                .map_err(|e| {
                    // The fancy error explains lookaround problems; the plain one syntax errors.
                    PatternError(
                        if source.contains("(?<")
                            || source.contains("(?=")
                            || source.contains("(?!")
                        {
                            e.to_string()
                        } else {
                            fast_err
                                .to_string()
                                .lines()
                                .last()
                                .unwrap_or("")
                                .trim()
                                .to_string()
                        },
                    )
                }),
        }
    }

    pub fn find_all(&self, text: &str) -> Vec<Range<usize>> {
        match self {
            // The guard runs on the DFA; the pattern's Unicode `\b` would not.
            Pattern::Fast(_, Some(g)) if !g.is_match(text) => Vec::new(),
            Pattern::Fast(re, _) => re.find_iter(text).map(|m| m.range()).collect(),
            Pattern::Fancy(_, Some(g), _) if !g.is_match(text) => Vec::new(),
            Pattern::Fancy(re, ..) => re
                .find_iter(text)
                .map_while(Result::ok)
                .map(|m| m.range())
                .collect(),
        }
    }

    /// Every match with its groups (index 0 is the whole match).
    pub fn captures_all(&self, text: &str) -> Vec<Vec<Option<Range<usize>>>> {
        match self {
            Pattern::Fast(_, Some(g)) if !g.is_match(text) => Vec::new(),
            Pattern::Fast(re, _) => re
                .captures_iter(text)
                .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect())
                .collect(),
            Pattern::Fancy(_, Some(g), _) if !g.is_match(text) => Vec::new(),
            Pattern::Fancy(re, Some(g), Some(anchored)) => {
                candidate_captures(re, g, anchored, text)
            }
            Pattern::Fancy(re, ..) => re
                .captures_iter(text)
                .map_while(Result::ok)
                .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect())
                .collect(),
        }
    }

    /// Every match within one block of the prose (blocks are separated by line breaks;
    /// the prose of a block has none). One pass over the whole text; a match that reaches
    /// over a break (`\s` eating the newline before a block's first word, or after its
    /// last) is redone within its block, so `(?:^|\s)I\s` and `!(?:\s|$)` hold per block.
    pub fn captures_in_blocks(&self, text: &str) -> Vec<Vec<Option<Range<usize>>>> {
        if !text.contains('\n') {
            return self.captures_all(text);
        }
        match self {
            Pattern::Fancy(_, guard, _) => return self.in_guarded_blocks(text, guard.as_ref()),
            Pattern::Fast(_, Some(guard)) => return self.in_guarded_blocks(text, Some(guard)),
            Pattern::Fast(_, None) => {}
        }
        let mut out = Vec::new();
        let mut pos = 0;
        while pos <= text.len() {
            let caps = match self {
                Pattern::Fast(re, _) => re
                    .captures_at(text, pos)
                    .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>()),
                Pattern::Fancy(_, Some(g), _) if !g.is_match_at(text, pos) => None,
                Pattern::Fancy(re, ..) => re
                    .captures_from_pos(text, pos)
                    .ok()
                    .flatten()
                    .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect::<Vec<_>>()),
            };
            let Some(caps) = caps else { break };
            let Some(whole) = caps[0].clone() else { break };
            if text[whole.clone()].contains('\n') {
                // Rare: search that one block alone, then go on after it.
                let start = text[..whole.start].rfind('\n').map_or(0, |i| i + 1);
                let end = text[whole.start..]
                    .find('\n')
                    .map_or(text.len(), |i| whole.start + i);
                for caps in self.captures_all(&text[start..end]) {
                    let shifted: Vec<_> = caps
                        .into_iter()
                        .map(|r| r.map(|r| r.start + start..r.end + start))
                        .collect();
                    if shifted[0].as_ref().is_some_and(|r| r.start >= pos) {
                        out.push(shifted);
                    }
                }
                pos = end + 1;
                continue;
            }
            pos = if whole.is_empty() {
                whole.end + text[whole.end..].chars().next().map_or(1, char::len_utf8)
            } else {
                whole.end
            };
            out.push(caps);
        }
        out
    }

    /// The pattern runs only on the blocks where its guard finds a candidate: the
    /// backtracker would otherwise try its lookarounds at every position of an article,
    /// and a Unicode `\b` sends the regex crate to its slower engines for the whole text.
    fn in_guarded_blocks(
        &self,
        text: &str,
        guard: Option<&regex::Regex>,
    ) -> Vec<Vec<Option<Range<usize>>>> {
        // Block by block: a guard match may run over a line break and hide the next block.
        let mut blocks: Vec<Range<usize>> = Vec::new();
        let mut start = 0;
        for line in text.split('\n') {
            let b = start..start + line.len();
            start += line.len() + 1;
            if !line.is_empty() && guard.is_none_or(|g| g.is_match(line)) {
                blocks.push(b);
            }
        }
        let mut out = Vec::new();
        for b in blocks {
            for caps in self.captures_all(&text[b.clone()]) {
                out.push(
                    caps.into_iter()
                        .map(|r| r.map(|r| r.start + b.start..r.end + b.start))
                        .collect(),
                );
            }
        }
        out
    }

    /// The pattern's source.
    pub fn as_str(&self) -> &str {
        match self {
            Pattern::Fast(re, _) => re.as_str(),
            Pattern::Fancy(re, ..) => re.as_str(),
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        match self {
            Pattern::Fast(_, Some(g)) if !g.is_match(text) => false,
            Pattern::Fast(re, _) => re.is_match(text),
            Pattern::Fancy(_, Some(g), _) if !g.is_match(text) => false,
            Pattern::Fancy(re, ..) => re.is_match(text).unwrap_or(false),
        }
    }
}

/// Every match of the backtracking pattern `re`, found without running its VM at every
/// position: a match can only start where the guard (a superset) has a match start, so
/// the next candidate start is the guard's leftmost match from the current position, and
/// `\G`-anchored `re` is tried there alone. The first candidate where it matches is the
/// leftmost match start, and the anchored match is the one `re` prefers there: the same
/// matches as `re.captures_iter`. An empty match hands over to `captures_iter`, whose
/// rules for stepping past one this does not repeat.
fn candidate_captures(
    re: &fancy_regex::Regex,
    guard: &regex::Regex,
    anchored: &fancy_regex::Regex,
    text: &str,
) -> Vec<Vec<Option<Range<usize>>>> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos <= text.len() {
        let Some(candidate) = guard.find_at(text, pos) else {
            break;
        };
        let at = candidate.start();
        match anchored.captures_from_pos(text, at) {
            Ok(Some(caps)) => {
                let groups: Vec<Option<Range<usize>>> =
                    caps.iter().map(|m| m.map(|m| m.range())).collect();
                let Some(whole) = groups[0].clone() else {
                    break;
                };
                if whole.is_empty() {
                    return re
                        .captures_iter(text)
                        .map_while(Result::ok)
                        .map(|c| c.iter().map(|m| m.map(|m| m.range())).collect())
                        .collect();
                }
                pos = whole.end;
                out.push(groups);
            }
            Ok(None) => {
                pos = at + text[at..].chars().next().map_or(1, char::len_utf8);
            }
            // The backtracking limit: stop where `captures_iter` would stop too.
            Err(_) => break,
        }
    }
    out
}

/// Vale's word template: tokens match whole words unless `nonword` is set.
pub(crate) fn word_template(tokens: &str, ignorecase: bool, nonword: bool) -> String {
    let body = if nonword {
        format!("(?:{tokens})")
    } else {
        format!(r"\b(?:{tokens})\b")
    };
    with_case(&format!("(?m){body}"), ignorecase)
}

pub(crate) fn with_case(re: &str, ignorecase: bool) -> String {
    if ignorecase {
        format!("(?i){re}")
    } else {
        re.to_string()
    }
}

/// A pattern that matches wherever `pattern` matches, in the plain `regex` dialect:
/// lookarounds are dropped (they only restrict), backreferences become "anything",
/// and word boundaries go because Unicode `\b` keeps the regex DFA off non-ASCII text.
pub(crate) fn superset_source(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let n = *chars.get(i + 1)?;
            if !in_class && matches!(n, 'b' | 'B') {
                i += 2;
                continue;
            }
            if !in_class && n == 'k' && chars.get(i + 2) == Some(&'<') {
                let close = chars[i..].iter().position(|&c| c == '>')? + i;
                out.push_str("(?s:.*?)");
                i = close + 1;
                continue;
            }
            if !in_class && n.is_ascii_digit() && n != '0' {
                out.push_str("(?s:.*?)");
                i += 2;
                continue;
            }
            out.push(c);
            out.push(n);
            i += 2;
            continue;
        }
        if in_class {
            if c == ']' {
                in_class = false;
            }
            out.push(c);
            i += 1;
            continue;
        }
        if c == '[' {
            in_class = true;
            out.push(c);
            // A leading `]` or `^]` is literal inside a class.
            if chars.get(i + 1) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            if chars.get(i + 1) == Some(&']') {
                out.push(']');
                i += 1;
            }
            i += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 4)].iter().collect();
        if rest.starts_with("(?=")
            || rest.starts_with("(?!")
            || rest.starts_with("(?<=")
            || rest.starts_with("(?<!")
        {
            i = group_end(&chars, i)? + 1;
            // A quantifier on a lookaround applies to nothing once it is gone.
            while matches!(chars.get(i), Some('?' | '*' | '+')) {
                i += 1;
            }
            continue;
        }
        out.push(c);
        i += 1;
    }
    regex::Regex::new(&out).ok().map(|_| out)
}

/// The index of the `)` that closes the group opening at `start`.
fn group_end(chars: &[char], start: usize) -> Option<usize> {
    let mut depth = 0;
    let mut i = start;
    let mut in_class = false;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => depth += 1,
            ')' if !in_class => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// A version of `pattern` for the combined prefilter over the whole prose: a superset
/// as above, and without anchors, which hold per scope but not in the whole prose.
pub(crate) fn prefilter_source(pattern: &str) -> Option<String> {
    let sup = superset_source(pattern)?;
    let mut out = String::with_capacity(sup.len());
    let mut chars = sup.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(c);
            if let Some(n) = chars.next() {
                out.push(n);
            }
            continue;
        }
        if !in_class && (c == '^' || c == '$') {
            continue;
        }
        if c == '[' {
            in_class = true;
        } else if c == ']' {
            in_class = false;
        }
        out.push(c);
    }
    regex::Regex::new(&out).ok().map(|_| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookarounds_fall_back_to_the_backtracking_engine() {
        assert!(matches!(
            Pattern::new(r"\bit is").unwrap(),
            Pattern::Fast(..)
        ));
        let p = Pattern::new(r"it is(?!\.)").unwrap();
        assert!(matches!(p, Pattern::Fancy(..)));
        assert_eq!(p.find_all("it is. it is here"), vec![7..12]);
        // Variable-length lookbehind, as in Google.Colons.
        let p = Pattern::new(r"(?<!:[^ ]+?):\s[A-Z]").unwrap();
        assert_eq!(p.find_all("Note: This").len(), 1);
    }

    #[test]
    fn guarded_candidates_find_what_the_backtracker_finds() {
        let text = "Kunden und Kund:innen, Nutzer*innen; die Kunden: Lesern, Leser/-innen \
                    KundInnen oder Kunden, Mitarbeitern immer wieder, immer gut, Kundinnen und Kunden.";
        for src in [
            r"\b(?:(?P<s1>\p{Lu}\p{Ll}+?)innen (?:und|oder) \k<s1>(?:en|e|n)?|(\p{L}+)(?::|_|/-?)innen|Kunden(?![:*_/])|Lesern?(?![:*_/]))\b",
            r"(?<!innen und )\b(?:Kunden|Mitarbeitern?)\b(?![:*_/]| und \p{L}+innen\b)",
            r"\bimmer\b(?! wieder)",
        ] {
            let p = Pattern::new(src).unwrap();
            let Pattern::Fancy(re, ..) = &p else {
                panic!("{src} should need the backtracker")
            };
            let all: Vec<Vec<Option<Range<usize>>>> = re
                .captures_iter(text)
                .map(|c| c.unwrap().iter().map(|m| m.map(|m| m.range())).collect())
                .collect();
            assert!(!all.is_empty(), "{src}");
            assert_eq!(p.captures_all(text), all, "{src}");
        }
    }

    #[test]
    fn the_prefilter_drops_boundaries_and_anchors_only() {
        assert_eq!(
            prefilter_source(r"(?i)\b(?:foo|b\.ar)\b$").unwrap(),
            r"(?i)(?:foo|b\.ar)"
        );
        assert_eq!(prefilter_source(r"[^x]y").unwrap(), r"[^x]y");
        assert_eq!(prefilter_source(r"a(?!b)c").unwrap(), "ac");
        assert_eq!(
            superset_source(r"(?P<s>\w+)innen und \k<s>(?<=x)").unwrap(),
            r"(?P<s>\w+)innen und (?s:.*?)"
        );
        // The guard keeps a backtracking pattern off texts it cannot match.
        let p = Pattern::new(r"\bimmer\b(?! mehr)").unwrap();
        assert!(matches!(p, Pattern::Fancy(_, Some(_), Some(_))));
        assert!(p.find_all("nie wieder").is_empty());
        assert_eq!(p.find_all("immer mehr, immer gut"), vec![12..17]);
    }
}
