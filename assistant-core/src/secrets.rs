//! Passwords and API keys in the platform's keyring (the only module that uses `keyring`): the
//! Secret Service (GNOME Keyring, KWallet) or the kernel's keyutils on Linux, the Keychain on
//! macOS and iOS, the Credential Manager on Windows. Secrets are never written anywhere else.

use std::fmt;

use crate::error::{CoreError, Result};

/// The keyring service name every secret of the app is filed under.
pub const SERVICE: &str = "app.private-assistant";

/// A handle on the platform keyring. Entries are named `kind:account`, e.g.
/// `imap:imaps://ana@mail.example:993`.
#[derive(Clone)]
pub struct Keyring {
    service: String,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keyring({} in {})", self.service, backend_name())
    }
}

impl Default for Keyring {
    fn default() -> Self {
        Keyring::new(SERVICE)
    }
}

/// The keyring entry that holds an IMAP account's password.
pub fn imap_entry(account_url: &str) -> String {
    format!("imap:{account_url}")
}

impl Keyring {
    pub fn new(service: impl Into<String>) -> Self {
        Keyring {
            service: service.into(),
        }
    }

    /// Stores (or replaces) a secret.
    pub fn save(&self, entry: &str, secret: &str) -> Result<()> {
        platform::save(&self.service, entry, secret)
            .map_err(|e| keyring_error(&format!("could not save {entry}"), e))
    }

    /// The stored secret, or `None` when there is none.
    pub fn load(&self, entry: &str) -> Result<Option<String>> {
        platform::load(&self.service, entry)
            .map_err(|e| keyring_error(&format!("could not read {entry}"), e))
    }

    /// Removes a secret; `false` when there was none.
    pub fn delete(&self, entry: &str) -> Result<bool> {
        platform::delete(&self.service, entry)
            .map_err(|e| keyring_error(&format!("could not remove {entry}"), e))
    }

    /// Which keyring this device uses, for people ("Secret Service", "kernel keyutils", ...).
    pub fn backend(&self) -> &'static str {
        backend_name()
    }
}

fn keyring_error(what: &str, reason: String) -> CoreError {
    CoreError::Keyring(format!("{what} in {}: {reason}", backend_name()))
}

fn backend_name() -> &'static str {
    platform::backend_name()
}

#[cfg(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
))]
mod platform {
    use keyring::{Entry, Error};

    #[cfg(target_os = "linux")]
    mod linux {
        use std::sync::OnceLock;

        use keyring::{Entry, Error};

        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub enum Store {
            SecretService,
            Keyutils,
        }

        /// The Secret Service when the desktop session runs one (it persists across restarts),
        /// else the kernel's keyutils (always there, kept in memory for some days only).
        /// `ASSISTANT_KEYRING=keyutils|secret-service` overrides the choice.
        pub fn store() -> Store {
            static STORE: OnceLock<Store> = OnceLock::new();
            *STORE.get_or_init(|| match std::env::var("ASSISTANT_KEYRING").as_deref() {
                Ok("keyutils") => Store::Keyutils,
                Ok("secret-service") => Store::SecretService,
                _ => {
                    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
                        return Store::Keyutils;
                    }
                    let probe = keyring::secret_service::SsCredential::new_with_target(
                        None,
                        super::super::SERVICE,
                        "probe",
                    )
                    .map(|c| Entry::new_with_credential(Box::new(c)));
                    match probe.and_then(|e| e.get_password()) {
                        Ok(_) | Err(Error::NoEntry) => Store::SecretService,
                        Err(err) => {
                            tracing::info!(%err, "no Secret Service; secrets go to the kernel keyring");
                            Store::Keyutils
                        }
                    }
                }
            })
        }

        /// A keyutils credential in the session keyring, also linked into the user's persistent
        /// keyring (which outlives the session by some days) when `persistent`.
        fn keyutils(
            service: &str,
            name: &str,
            persistent: bool,
        ) -> keyring::Result<keyring::keyutils::KeyutilsCredential> {
            let mut credential =
                keyring::keyutils::KeyutilsCredential::new_with_target(None, service, name)?;
            if !persistent {
                credential.persistent = None;
            }
            Ok(credential)
        }

        /// Runs `op` on the entry; with keyutils, once more without the persistent keyring when
        /// linking into it fails. (Linking a key into the persistent keyring fails now and then
        /// with "no such key" although both exist — seen on Linux 6.x — and the keyring crate
        /// reports that as a missing entry even after the key was stored in the session.)
        pub fn with_entry<T>(
            service: &str,
            name: &str,
            op: impl Fn(&Entry) -> keyring::Result<T>,
        ) -> keyring::Result<T> {
            let result = op(&entry(service, name, true)?);
            match result {
                Err(Error::NoEntry) if store() == Store::Keyutils => {
                    op(&entry(service, name, false)?)
                }
                other => other,
            }
        }

        pub fn entry(service: &str, name: &str, persistent: bool) -> keyring::Result<Entry> {
            Ok(match store() {
                Store::SecretService => Entry::new_with_credential(Box::new(
                    keyring::secret_service::SsCredential::new_with_target(None, service, name)?,
                )),
                Store::Keyutils => {
                    Entry::new_with_credential(Box::new(keyutils(service, name, persistent)?))
                }
            })
        }
    }

    pub fn backend_name() -> &'static str {
        #[cfg(target_os = "linux")]
        return match linux::store() {
            linux::Store::SecretService => "the Secret Service keyring",
            linux::Store::Keyutils => "the kernel keyring (keyutils)",
        };
        #[cfg(any(target_os = "macos", target_os = "ios"))]
        return "the Keychain";
        #[cfg(target_os = "windows")]
        return "the Credential Manager";
    }

    fn with_entry<T>(
        service: &str,
        name: &str,
        op: impl Fn(&Entry) -> keyring::Result<T>,
    ) -> keyring::Result<T> {
        #[cfg(target_os = "linux")]
        return linux::with_entry(service, name, op);
        #[cfg(not(target_os = "linux"))]
        return op(&Entry::new(service, name)?);
    }

    /// Keyutils without the Secret Service: the user keyring (see `user_keyring`).
    fn keyutils_store() -> bool {
        #[cfg(target_os = "linux")]
        return linux::store() == linux::Store::Keyutils;
        #[cfg(not(target_os = "linux"))]
        return false;
    }

    pub fn save(service: &str, name: &str, secret: &str) -> Result<(), String> {
        #[cfg(target_os = "linux")]
        if keyutils_store() {
            return user_keyring::save(service, name, secret);
        }
        with_entry(service, name, |e| e.set_password(secret)).map_err(|e| e.to_string())
    }

    pub fn load(service: &str, name: &str) -> Result<Option<String>, String> {
        #[cfg(target_os = "linux")]
        if keyutils_store() {
            if let Some(secret) = user_keyring::load(service, name)? {
                return Ok(Some(secret));
            }
            // Saved by an earlier version (session and persistent keyrings), if still there.
            return Ok(with_entry(service, name, |e| e.get_password()).ok());
        }
        match with_entry(service, name, |e| e.get_password()) {
            Ok(secret) => Ok(Some(secret)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    pub fn delete(service: &str, name: &str) -> Result<bool, String> {
        #[cfg(target_os = "linux")]
        if keyutils_store() {
            let old = with_entry(service, name, |e| e.delete_credential()).is_ok();
            return Ok(user_keyring::delete(service, name)? || old);
        }
        match with_entry(service, name, |e| e.delete_credential()) {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Secrets in the kernel's user keyring, which every process of the user sees while any of
    /// them runs (gone at reboot). The keyring crate's keyutils store keeps a secret in the
    /// session keyring and links it into the persistent one; on headless machines that link
    /// fails now and then with "no such key", the secret then lives only in the saving
    /// process's session, and the next process reads nothing or an older copy (a key set with
    /// `cloud set` was not the one `chat --cloud` sent). Each secret is readable and writable
    /// by its owner only, possessed or not.
    #[cfg(target_os = "linux")]
    mod user_keyring {
        use linux_keyutils::{
            KeyError, KeyPermissionsBuilder, KeyRing, KeyRingIdentifier, Permission,
        };

        fn ring() -> Result<KeyRing, String> {
            KeyRing::from_special_id(KeyRingIdentifier::User, true)
                .map_err(|e| format!("the user keyring: {e:?}"))
        }

        /// The same name the keyring crate gives an entry.
        fn description(service: &str, name: &str) -> String {
            format!("keyring-rs:{name}@{service}")
        }

        pub fn save(service: &str, name: &str, secret: &str) -> Result<(), String> {
            if secret.is_empty() {
                return Err("an empty secret cannot be stored".into());
            }
            // Replaces the payload when the entry exists (same key, same permissions).
            let key = ring()?
                .add_key(&description(service, name), secret.as_bytes())
                .map_err(|e| format!("{e:?}"))?;
            let owner_only = KeyPermissionsBuilder::builder()
                .posessor(Permission::ALL)
                .user(Permission::ALL)
                .build();
            key.set_perms(owner_only).map_err(|e| format!("{e:?}"))
        }

        pub fn load(service: &str, name: &str) -> Result<Option<String>, String> {
            match ring()?.search(&description(service, name)) {
                Ok(key) => {
                    let bytes = key.read_to_vec().map_err(|e| format!("{e:?}"))?;
                    String::from_utf8(bytes)
                        .map(Some)
                        .map_err(|_| "the stored secret is not text".into())
                }
                Err(KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked) => {
                    Ok(None)
                }
                Err(e) => Err(format!("{e:?}")),
            }
        }

        pub fn delete(service: &str, name: &str) -> Result<bool, String> {
            match ring()?.search(&description(service, name)) {
                Ok(key) => key.invalidate().map(|_| true).map_err(|e| format!("{e:?}")),
                Err(KeyError::KeyDoesNotExist | KeyError::KeyExpired | KeyError::KeyRevoked) => {
                    Ok(false)
                }
                Err(e) => Err(format!("{e:?}")),
            }
        }
    }
}

/// Android has no keystore binding in the `keyring` crate yet: nothing is stored, and saying so
/// is an error rather than a silent in-memory stand-in.
#[cfg(not(any(
    target_os = "linux",
    target_os = "macos",
    target_os = "ios",
    target_os = "windows"
)))]
mod platform {
    const UNAVAILABLE: &str = "this platform's keystore is not supported yet";

    pub fn backend_name() -> &'static str {
        "no keyring"
    }
    pub fn save(_: &str, _: &str, _: &str) -> Result<(), String> {
        Err(UNAVAILABLE.into())
    }
    pub fn load(_: &str, _: &str) -> Result<Option<String>, String> {
        Err(UNAVAILABLE.into())
    }
    pub fn delete(_: &str, _: &str) -> Result<bool, String> {
        Err(UNAVAILABLE.into())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The real kernel keyring (no daemon needed), under a service name of this test's own.
    #[test]
    fn a_secret_is_saved_read_replaced_and_deleted_in_the_real_keyring() {
        let keyring = Keyring::new(format!("assistant-test-{}", std::process::id()));
        let entry = imap_entry("imap://ana@127.0.0.1:1143");
        // A save first: the first use of the kernel keyring in a process once failed on it.
        keyring.save(&entry, "first secret").unwrap();
        assert_eq!(
            keyring.load(&entry).unwrap().as_deref(),
            Some("first secret")
        );
        keyring.save(&entry, "second").unwrap();
        assert_eq!(keyring.load(&entry).unwrap().as_deref(), Some("second"));
        assert!(keyring.delete(&entry).unwrap());
        assert_eq!(keyring.load(&entry).unwrap(), None);
        assert!(!keyring.delete(&entry).unwrap());
        assert_eq!(
            keyring
                .load(&imap_entry("imap://nobody@127.0.0.1:1"))
                .unwrap(),
            None
        );
    }
}
