//! Sending mail over SMTP with lettre (the only module that talks to an outgoing mail server):
//! TLS from the first byte (port 465), STARTTLS (587), or plain TCP only to a server on this
//! machine; and the RFC 5322 message built from a reply. Blocking calls.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, Message, SmtpTransport, Transport};

/// How to reach the outgoing server. The password comes from the keyring, never a file.
#[derive(Clone)]
pub struct SmtpAccount {
    pub host: String,
    pub port: u16,
    /// Empty: the server takes mail without logging in (a relay on this machine).
    pub user: String,
    pub password: String,
    /// `tls`, `starttls` or `plain` (only to this machine).
    pub security: String,
}

impl SmtpAccount {
    /// `smtps://user@host:465` (no password): names the account in errors and the keyring.
    pub fn url(&self) -> String {
        let scheme = match self.security.as_str() {
            "tls" => "smtps",
            "starttls" => "smtp+starttls",
            _ => "smtp",
        };
        if self.user.is_empty() {
            format!("{scheme}://{}:{}", self.host, self.port)
        } else {
            format!("{scheme}://{}@{}:{}", self.user, self.host, self.port)
        }
    }

    /// Refuses an unknown security mode, and a plain connection to another machine when it
    /// would carry a password or mail across the network unencrypted.
    pub fn check(&self) -> Result<(), String> {
        if self.host.trim().is_empty() {
            return Err("sending account: the server name is empty".into());
        }
        match self.security.as_str() {
            "tls" | "starttls" => Ok(()),
            "plain" if matches!(self.host.as_str(), "127.0.0.1" | "localhost" | "::1") => Ok(()),
            "plain" => Err(format!(
                "{}: a connection without TLS is allowed only to a server on this machine",
                self.url()
            )),
            other => Err(format!(
                "sending account security `{other}`: use tls, starttls or plain"
            )),
        }
    }
}

/// A delivery that did not happen. `permanent`: the server refused this message for good
/// (a 5xx reply); otherwise trying again later may work (server down, 4xx, timeout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpError {
    pub message: String,
    pub permanent: bool,
}

/// Hands one message to the server for `to`; returns once the server has accepted it.
pub fn send(account: &SmtpAccount, from: &str, to: &[String], raw: &[u8]) -> Result<(), SmtpError> {
    let fail = |message: String, permanent| SmtpError { message, permanent };
    account.check().map_err(|m| fail(m, true))?;
    let parse = |a: &str| {
        a.parse::<Address>()
            .map_err(|e| fail(format!("address `{a}`: {e}"), true))
    };
    let envelope = Envelope::new(
        Some(parse(from)?),
        to.iter().map(|a| parse(a)).collect::<Result<_, _>>()?,
    )
    .map_err(|e| fail(format!("envelope: {e}"), true))?;
    let url = account.url();
    let builder = match account.security.as_str() {
        "tls" => SmtpTransport::relay(&account.host),
        "starttls" => SmtpTransport::starttls_relay(&account.host),
        _ => Ok(SmtpTransport::builder_dangerous(&account.host)),
    }
    .map_err(|e| fail(format!("{url}: {e}"), true))?
    .port(account.port)
    .timeout(Some(Duration::from_secs(30)));
    let builder = if account.user.is_empty() {
        builder
    } else {
        builder.credentials(Credentials::new(
            account.user.clone(),
            account.password.clone(),
        ))
    };
    builder
        .build()
        .send_raw(&envelope, raw)
        .map(|_| ())
        .map_err(|e| fail(format!("{url}: {e}"), e.is_permanent()))
}

/// What an outgoing message says.
pub struct Outgoing<'a> {
    pub from: &'a str,
    pub from_name: &'a str,
    pub to: &'a [String],
    pub subject: &'a str,
    pub body: &'a str,
    /// The Message-ID header of the message replied to, and its own References.
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
    /// Files sent along (a forward carries the original's attachments).
    pub attachments: &'a [super::parse::AttachmentPart],
}

/// The message as sent (RFC 5322, UTF-8 text) and its new Message-ID (`<...@sender-domain>`).
pub fn build(m: &Outgoing) -> Result<(Vec<u8>, String), String> {
    let from_addr: Address = m
        .from
        .parse()
        .map_err(|e| format!("sender address `{}`: {e}", m.from))?;
    let domain = from_addr.domain().to_string();
    let message_id = format!(
        "<{:x}.{:x}@{domain}>",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
        std::process::id()
    );
    let name = (!m.from_name.trim().is_empty()).then(|| m.from_name.trim().to_string());
    let mut builder = Message::builder()
        .from(Mailbox::new(name, from_addr))
        .subject(m.subject)
        .message_id(Some(message_id.clone()))
        .date_now();
    for to in m.to {
        let mailbox: Mailbox = to.parse().map_err(|e| format!("recipient `{to}`: {e}"))?;
        builder = builder.to(mailbox);
    }
    if let Some(parent) = m.in_reply_to {
        // The store keeps ids without their angle brackets; the headers need them.
        let parent = angle(parent);
        let mut refs: Vec<String> = m.references.iter().map(|r| angle(r)).collect();
        if !refs.contains(&parent) {
            refs.push(parent.clone());
        }
        builder = builder.in_reply_to(parent).references(refs.join(" "));
    }
    let message = if m.attachments.is_empty() {
        builder
            .header(ContentType::TEXT_PLAIN)
            .body(m.body.to_string())
    } else {
        let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(m.body.to_string()));
        for a in m.attachments {
            let content_type = ContentType::parse(&a.content_type)
                .unwrap_or_else(|_| ContentType::parse("application/octet-stream").expect("valid"));
            parts = parts.singlepart(
                Attachment::new(a.filename.clone()).body(a.bytes.clone(), content_type),
            );
        }
        builder.multipart(parts)
    }
    .map_err(|e| format!("message: {e}"))?;
    Ok((message.formatted(), message_id))
}

/// `<id>`, whether or not `id` came with its brackets.
fn angle(id: &str) -> String {
    format!(
        "<{}>",
        id.trim().trim_start_matches('<').trim_end_matches('>')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_names_its_parent_and_keeps_the_reference_chain() {
        let to = vec!["Sara Lindqvist <sara@northwind.example>".to_string()];
        // Stored ids come without brackets (regression: the headers went out without them).
        let refs = vec!["a@x".to_string()];
        let (raw, id) = build(&Outgoing {
            from: "alex@northwind.example",
            from_name: "Alex Doe",
            to: &to,
            subject: "Re: Lunch Friday?",
            body: "Yes — see you at 12:30.",
            in_reply_to: Some("b@x"),
            references: &refs,
            attachments: &[],
        })
        .unwrap();
        let text = String::from_utf8(raw).unwrap();
        assert!(
            id.starts_with('<') && id.ends_with("@northwind.example>"),
            "{id}"
        );
        assert!(text.contains(&format!("Message-ID: {id}")), "{text}");
        assert!(text.contains("In-Reply-To: <b@x>"), "{text}");
        assert!(text.contains("References: <a@x> <b@x>"), "{text}");
        assert!(
            text.contains("From: \"Alex Doe\" <alex@northwind.example>")
                || text.contains("From: Alex Doe <alex@northwind.example>"),
            "{text}"
        );
        assert!(
            text.contains("To: \"Sara Lindqvist\" <sara@northwind.example>")
                || text.contains("To: Sara Lindqvist <sara@northwind.example>"),
            "{text}"
        );
    }

    #[test]
    fn bad_addresses_and_unencrypted_remote_servers_are_refused_with_the_field_named() {
        let to = vec!["not an address".to_string()];
        let err = build(&Outgoing {
            from: "alex@northwind.example",
            from_name: "",
            to: &to,
            subject: "s",
            body: "b",
            in_reply_to: None,
            references: &[],
            attachments: &[],
        })
        .unwrap_err();
        assert!(err.contains("recipient `not an address`"), "{err}");
        let account = SmtpAccount {
            host: "smtp.example.com".into(),
            port: 25,
            user: String::new(),
            password: String::new(),
            security: "plain".into(),
        };
        assert!(account.check().unwrap_err().contains("without TLS"));
        let err = send(&account, "a@b.c", &["d@e.f".into()], b"x").unwrap_err();
        assert!(
            err.permanent && err.message.contains("without TLS"),
            "{err:?}"
        );
    }
}
