//! An IMAP account as a mail source (the only module that talks to a mail server): folders,
//! UIDVALIDITY/UID state, flags and message bytes, over TLS (`imaps`) or plain TCP (`imap`, for
//! servers on this machine). Blocking calls; each drives its own small async runtime.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_imap::types::{Flag, NameAttribute};
use futures::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How to reach an account. The password is never stored by the assistant.
#[derive(Clone)]
pub struct ImapAccount {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    /// TLS from the first byte (port 993). Plain TCP is only for servers on this machine.
    pub tls: bool,
    /// Folders to sync; empty means every selectable folder.
    pub folders: Vec<String>,
}

impl ImapAccount {
    /// `imaps://user@host:993`, the source's stable name (no password).
    pub fn url(&self) -> String {
        format!(
            "{}://{}@{}:{}",
            if self.tls { "imaps" } else { "imap" },
            self.user,
            self.host,
            self.port
        )
    }
}

impl ImapAccount {
    /// The account named by a source's location (`imaps://user@host:993`), with its password
    /// and folders; `None` when the location is not such a URL.
    pub fn from_url(url: &str, password: String, folders: Vec<String>) -> Option<ImapAccount> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("imaps://") {
            (true, rest)
        } else {
            (false, url.strip_prefix("imap://")?)
        };
        // The user name may itself contain '@' (ana@example.com): the host follows the last one.
        let (user, host_port) = rest.rsplit_once('@')?;
        let (host, port) = host_port.rsplit_once(':')?;
        Some(ImapAccount {
            host: host.to_string(),
            port: port.parse().ok()?,
            user: user.to_string(),
            password,
            tls,
            folders,
        })
    }

    /// Refuses what must not be tried: an empty host, user or password, and a password sent
    /// without TLS to any server but this machine.
    pub fn check(&self) -> Result<(), ImapError> {
        if self.host.trim().is_empty() {
            return Err(ImapError("account: the server name is empty".into()));
        }
        if self.user.trim().is_empty() {
            return Err(ImapError("account: the user name is empty".into()));
        }
        if self.password.is_empty() {
            return Err(ImapError(format!("{}: the password is empty", self.url())));
        }
        if !self.tls && !matches!(self.host.as_str(), "127.0.0.1" | "localhost" | "::1") {
            return Err(ImapError(format!(
                "{}: a connection without TLS would send the password unencrypted; it is allowed only for a server on this machine",
                self.url()
            )));
        }
        Ok(())
    }
}

impl fmt::Debug for ImapAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.url())
    }
}

/// What went wrong, in words that name the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapError(pub String);

impl fmt::Display for ImapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A message as the server holds it.
#[derive(Debug, Clone)]
pub struct ServerMessage {
    pub uid: u32,
    /// Maildir-style letters: S seen, R answered, F flagged, T deleted, D draft.
    pub flags: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug)]
enum Stream {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A logged-in connection.
pub struct ImapClient {
    runtime: tokio::runtime::Runtime,
    session: async_imap::Session<Stream>,
    url: String,
}

/// Every network step is bounded: a server that stops answering is an error, not a hang.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);

fn flag_letters<'a>(flags: impl Iterator<Item = Flag<'a>>) -> String {
    let mut letters: Vec<char> = flags
        .filter_map(|f| match f {
            Flag::Draft => Some('D'),
            Flag::Flagged => Some('F'),
            Flag::Answered => Some('R'),
            Flag::Seen => Some('S'),
            Flag::Deleted => Some('T'),
            _ => None,
        })
        .collect();
    letters.sort_unstable();
    letters.dedup();
    letters.into_iter().collect()
}

impl ImapClient {
    /// Connects and logs in.
    pub fn connect(account: &ImapAccount) -> Result<Self, ImapError> {
        let url = account.url();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ImapError(format!("{url}: {e}")))?;
        let session = runtime.block_on(async {
            let step = |what: &'static str| {
                let url = url.clone();
                move |e: String| ImapError(format!("{url}: {what}: {e}"))
            };
            let tcp = tokio::time::timeout(
                STEP_TIMEOUT,
                TcpStream::connect((account.host.as_str(), account.port)),
            )
            .await
            .map_err(|_| step("connect")("no answer within a minute".into()))?
            .map_err(|e| step("connect")(e.to_string()))?;
            let stream = if account.tls {
                let mut roots = rustls::RootCertStore::empty();
                roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
                let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_safe_default_protocol_versions()
                .map_err(|e| step("TLS")(e.to_string()))?
                .with_root_certificates(roots)
                .with_no_client_auth();
                let name = rustls::pki_types::ServerName::try_from(account.host.clone())
                    .map_err(|e| step("TLS")(e.to_string()))?;
                let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                    .connect(name, tcp)
                    .await
                    .map_err(|e| step("TLS")(e.to_string()))?;
                Stream::Tls(Box::new(tls))
            } else {
                Stream::Plain(tcp)
            };
            let mut client = async_imap::Client::new(stream);
            let greeting = tokio::time::timeout(STEP_TIMEOUT, client.read_response())
                .await
                .map_err(|_| step("greeting")("no answer within a minute".into()))?
                .map_err(|e| step("greeting")(e.to_string()))?;
            if greeting.is_none() {
                return Err(step("greeting")("the server closed the connection".into()));
            }
            tokio::time::timeout(STEP_TIMEOUT, client.login(&account.user, &account.password))
                .await
                .map_err(|_| step("login")("no answer within a minute".into()))?
                .map_err(|(e, _)| step("login")(format!("{e} (check the user name and password)")))
        })?;
        Ok(Self {
            runtime,
            session,
            url,
        })
    }

    fn run<T>(
        &mut self,
        what: &str,
        f: impl for<'s> FnOnce(
            &'s mut async_imap::Session<Stream>,
        ) -> Pin<
            Box<dyn std::future::Future<Output = async_imap::error::Result<T>> + 's>,
        >,
    ) -> Result<T, ImapError> {
        let fut = f(&mut self.session);
        match self
            .runtime
            .block_on(tokio::time::timeout(STEP_TIMEOUT, fut))
        {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(ImapError(format!("{}: {what}: {e}", self.url))),
            Err(_) => Err(ImapError(format!(
                "{}: {what}: no answer within a minute",
                self.url
            ))),
        }
    }

    /// Every folder that can hold mail.
    pub fn folders(&mut self) -> Result<Vec<String>, ImapError> {
        let mut names: Vec<String> = self.run("list folders", |s| {
            Box::pin(async move {
                let names: Vec<_> = s.list(Some(""), Some("*")).await?.try_collect().await?;
                Ok(names
                    .iter()
                    .filter(|n| {
                        !n.attributes()
                            .iter()
                            .any(|a| matches!(a, NameAttribute::NoSelect))
                    })
                    .map(|n| n.name().to_string())
                    .collect())
            })
        })?;
        names.sort();
        Ok(names)
    }

    /// Opens a folder read-only; returns its UIDVALIDITY.
    pub fn open(&mut self, folder: &str) -> Result<u32, ImapError> {
        let folder = folder.to_string();
        let mailbox = self.run(&format!("open folder {folder}"), |s| {
            Box::pin(async move { s.examine(&folder).await })
        })?;
        Ok(mailbox.uid_validity.unwrap_or(0))
    }

    /// UID and flags of every message in the open folder.
    pub fn uids_and_flags(&mut self) -> Result<Vec<(u32, String)>, ImapError> {
        self.run("list messages", |s| {
            Box::pin(async move {
                let fetches: Vec<_> = s
                    .uid_fetch("1:*", "(UID FLAGS)")
                    .await?
                    .try_collect()
                    .await?;
                Ok(fetches
                    .iter()
                    .filter_map(|f| Some((f.uid?, flag_letters(f.flags()))))
                    .collect())
            })
        })
    }

    /// The full messages with these UIDs from the open folder (without marking them read).
    pub fn fetch(&mut self, uids: &[u32]) -> Result<Vec<ServerMessage>, ImapError> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        self.run("fetch messages", |s| {
            Box::pin(async move {
                let fetches: Vec<_> = s
                    .uid_fetch(&set, "(UID FLAGS BODY.PEEK[])")
                    .await?
                    .try_collect()
                    .await?;
                Ok(fetches
                    .iter()
                    .filter_map(|f| {
                        Some(ServerMessage {
                            uid: f.uid?,
                            flags: flag_letters(f.flags()),
                            bytes: f.body()?.to_vec(),
                        })
                    })
                    .collect())
            })
        })
    }

    pub fn logout(mut self) {
        let _ = self.run("log out", |s| Box::pin(async move { s.logout().await }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(host: &str, user: &str, tls: bool) -> ImapAccount {
        ImapAccount {
            host: host.into(),
            port: if tls { 993 } else { 143 },
            user: user.into(),
            password: "pw".into(),
            tls,
            folders: vec![],
        }
    }

    #[test]
    fn an_account_round_trips_through_its_url_even_with_an_at_in_the_user_name() {
        let a = account("mail.example", "ana@example.com", true);
        let b = ImapAccount::from_url(&a.url(), "pw".into(), vec!["INBOX".into()]).unwrap();
        assert_eq!(b.url(), "imaps://ana@example.com@mail.example:993");
        assert_eq!(
            (b.host.as_str(), b.user.as_str(), b.port, b.tls),
            ("mail.example", "ana@example.com", 993, true)
        );
        assert_eq!(b.folders, ["INBOX"]);
        assert!(ImapAccount::from_url("/home/ana/Maildir", String::new(), vec![]).is_none());
        assert!(ImapAccount::from_url("imap://ana@host:notaport", String::new(), vec![]).is_none());
    }

    #[test]
    fn passwords_go_unencrypted_only_to_this_machine() {
        assert!(account("127.0.0.1", "ana", false).check().is_ok());
        assert!(account("mail.example", "ana", true).check().is_ok());
        let err = account("mail.example", "ana", false).check().unwrap_err();
        assert!(err.0.contains("without TLS"), "{err}");
        assert!(account("", "ana", true)
            .check()
            .unwrap_err()
            .0
            .contains("server name"));
        let mut no_password = account("mail.example", "ana", true);
        no_password.password.clear();
        assert!(no_password
            .check()
            .unwrap_err()
            .0
            .contains("password is empty"));
    }
}
