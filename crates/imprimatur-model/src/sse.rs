//! Server-sent events, as the HTML standard defines the stream: `field: value` lines, an
//! event ends at a blank line, `:` starts a comment, several `data:` lines join with `\n`.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Event {
    /// The `event:` field; `None` means the default type `message`.
    pub event: Option<String>,
    pub data: String,
}

#[derive(Debug, Default)]
pub struct Parser {
    event: Option<String>,
    data: Option<String>,
}

impl Parser {
    /// Feeds one line (with or without its line break); returns an event when the line ends one.
    pub fn line(&mut self, line: &str) -> Option<Event> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return self.flush();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            _ => {} // id, retry and unknown fields do not matter for a chat stream
        }
        None
    }

    /// Ends the stream: an event without its blank line is still dispatched by browsers,
    /// but a chat stream that stops there is judged by its own terminator, not by this.
    pub fn flush(&mut self) -> Option<Event> {
        let event = self.event.take();
        self.data.take().map(|data| Event { event, data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_end_at_blank_lines_and_join_data_lines() {
        let mut p = Parser::default();
        let mut out = Vec::new();
        for l in [
            ": keep-alive\n",
            "event: content_block_delta\r\n",
            "data: {\"a\":\n",
            "data:1}\n",
            "\n",
            "data: [DONE]\n",
            "\n",
        ] {
            out.extend(p.line(l));
        }
        assert_eq!(
            out,
            vec![
                Event {
                    event: Some("content_block_delta".into()),
                    data: "{\"a\":\n1}".into()
                },
                Event {
                    event: None,
                    data: "[DONE]".into()
                }
            ]
        );
    }
}
