//! Who and which mail a request means, resolved against the store, never guessed: a person named
//! in words ("Sara") becomes the one address of that name in the user's mail (or a question when
//! several fit), and "the N most recent from X" becomes exact message ids.

use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::library::{blocking, Library};

/// A person as the mail knows them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub address: String,
    /// In how many messages the address appears.
    pub messages: i64,
}

impl Person {
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            self.address.clone()
        } else {
            format!("{} <{}>", self.name, self.address)
        }
    }
}

/// Does `words` name this person: every word starts a word of the name or of the address's
/// local part ("sara" fits "Sara Lindqvist" and "sara.k@", not "Lisara")?
fn fits(words: &[String], name: &str, address: &str) -> bool {
    let local = address.split('@').next().unwrap_or_default();
    let tokens: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .chain(local.split(|c: char| !c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect();
    words
        .iter()
        .all(|w| tokens.iter().any(|t| t.starts_with(w.as_str())))
}

impl Library {
    /// The one person `who` names: an address as given (checked), or a name that fits exactly
    /// one address in the mail. `NotFound` when none fits, `Ambiguous` (with the candidates)
    /// when several do.
    pub async fn resolve_person(&self, who: &str) -> Result<Person> {
        let who = who.trim().to_string();
        if who.contains('@') {
            let address = who.to_lowercase();
            if address.parse::<lettre::Address>().is_err() {
                return Err(CoreError::InvalidRequest(format!(
                    "`{who}` is not an email address"
                )));
            }
            let this = self.clone();
            let known = blocking(move || this.open_store()?.people_like(&address)).await?;
            return Ok(known
                .into_iter()
                .find(|(a, _, _)| a.eq_ignore_ascii_case(&who))
                .map(|(address, name, messages)| Person {
                    name,
                    address,
                    messages,
                })
                .unwrap_or(Person {
                    name: String::new(),
                    address: who.to_lowercase(),
                    messages: 0,
                }));
        }
        let words: Vec<String> = who.split_whitespace().map(str::to_lowercase).collect();
        let Some(first) = words.first().cloned() else {
            return Err(CoreError::InvalidRequest("name someone".into()));
        };
        let this = self.clone();
        let rows = blocking(move || this.open_store()?.people_like(&first)).await?;
        let fitting: Vec<Person> = rows
            .into_iter()
            .filter(|(address, name, _)| fits(&words, name, address))
            .map(|(address, name, messages)| Person {
                name,
                address,
                messages,
            })
            .collect();
        match fitting.len() {
            0 => Err(CoreError::NotFound {
                what: format!("anyone called `{who}` in your mail"),
                hint: ": give the address".into(),
            }),
            1 => Ok(fitting.into_iter().next().expect("one")),
            _ => Err(CoreError::Ambiguous {
                what: who,
                candidates: fitting.iter().map(Person::label).collect(),
            }),
        }
    }

    /// The ids of the `n` newest messages from `who` (resolved as in [`Library::resolve_person`]).
    pub async fn latest_from(&self, who: &str, n: usize) -> Result<(Person, Vec<i64>)> {
        let person = self.resolve_person(who).await?;
        let this = self.clone();
        let address = person.address.clone();
        let ids = blocking(move || this.open_store()?.latest_from(&address, n)).await?;
        if ids.is_empty() {
            return Err(CoreError::NotFound {
                what: format!("mail from {}", person.label()),
                hint: String::new(),
            });
        }
        Ok((person, ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_fits_by_word_starts_not_anywhere_inside() {
        let w = |s: &str| {
            s.split_whitespace()
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        };
        assert!(fits(&w("Sara"), "Sara Lindqvist", "sara@northwind.example"));
        assert!(fits(
            &w("sara lind"),
            "Sara Lindqvist",
            "sl@northwind.example"
        ));
        assert!(fits(&w("kenneth"), "", "kenneth.moreau@northwind.example"));
        assert!(!fits(&w("sara"), "Lisara Berg", "lb@example.com"));
        assert!(!fits(
            &w("sara kim"),
            "Sara Lindqvist",
            "sara@northwind.example"
        ));
    }
}
