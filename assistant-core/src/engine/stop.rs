//! Stop strings on a token stream: text is held back while it could still be the start of a stop
//! string, and the answer ends right before the first stop string, even one split across tokens.

#[derive(Debug, Default)]
pub(crate) struct StopMatcher {
    stops: Vec<String>,
    pending: String,
}

/// What to do after a piece of text arrived.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// Text that can be shown now.
    pub emit: String,
    /// A stop string was reached: end the answer.
    pub stopped: bool,
}

impl StopMatcher {
    pub(crate) fn new(stops: Vec<String>) -> Self {
        Self {
            stops: stops.into_iter().filter(|s| !s.is_empty()).collect(),
            pending: String::new(),
        }
    }

    pub(crate) fn push(&mut self, piece: &str) -> Step {
        self.pending.push_str(piece);
        if self.stops.is_empty() {
            return Step {
                emit: std::mem::take(&mut self.pending),
                stopped: false,
            };
        }
        if let Some(at) = self
            .stops
            .iter()
            .filter_map(|s| self.pending.find(s.as_str()))
            .min()
        {
            let emit = self.pending[..at].to_string();
            self.pending.clear();
            return Step {
                emit,
                stopped: true,
            };
        }
        // Hold back the longest tail that is the beginning of some stop string.
        let hold_from = self
            .pending
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| {
                let tail = &self.pending[i..];
                self.stops.iter().any(|s| s.starts_with(tail))
            })
            .unwrap_or(self.pending.len());
        let emit = self.pending[..hold_from].to_string();
        self.pending.drain(..hold_from);
        Step {
            emit,
            stopped: false,
        }
    }

    /// The answer ended without a stop string: release what was held back.
    pub(crate) fn finish(&mut self) -> String {
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&str]) -> (String, bool) {
        let mut m = StopMatcher::new(stops.iter().map(|s| s.to_string()).collect());
        let mut out = String::new();
        for p in pieces {
            let step = m.push(p);
            out.push_str(&step.emit);
            if step.stopped {
                return (out, true);
            }
        }
        out.push_str(&m.finish());
        (out, false)
    }

    #[test]
    fn passes_text_through_without_stops() {
        assert_eq!(run(&[], &["a", "b"]), ("ab".into(), false));
    }

    #[test]
    fn ends_before_a_stop_split_across_pieces() {
        assert_eq!(
            run(&["3."], &["1. A\n2. B\n", "3", ". C"]),
            ("1. A\n2. B\n".into(), true)
        );
        assert_eq!(run(&["END"], &["xx E", "N", "D yy"]), ("xx ".into(), true));
    }

    #[test]
    fn releases_a_false_start() {
        assert_eq!(run(&["END"], &["E", "N", "x"]), ("ENx".into(), false));
        assert_eq!(run(&["END"], &["abc E"]), ("abc E".into(), false));
    }

    #[test]
    fn earliest_of_several_stops_wins_and_unicode_is_safe() {
        assert_eq!(run(&["b", "é"], &["aébc"]), ("a".into(), true));
        assert_eq!(run(&["éé"], &["xé", "y"]), ("xéy".into(), false));
    }
}
