//! API keys live only in the OS keychain (Secret Service on Linux, Keychain on macOS,
//! Credential Manager on Windows). The config names a key; [`Secret`] holds its value in
//! memory and refuses to print it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use crate::error::KeyError;

/// The keychain service every Imprimatur key is filed under.
pub const SERVICE: &str = "imprimatur";

/// A key's value. `Debug` and `Display` print `[redacted]`; only [`Secret::expose`] reads it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value, for the one place that puts it into a request header.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where keys come from. The app and the CLI use [`Keychain`]; a caller that already
/// holds keys (a CI job with keys in its secret store) can pass [`KeyMap`].
pub trait KeySource: Send + Sync {
    fn get(&self, name: &str) -> Result<Option<Secret>, KeyError>;
}

/// Key names become keychain account names: keep them plain.
pub fn check_name(name: &str) -> Result<(), KeyError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(KeyError::BadName(name.to_string()))
    }
}

/// The OS keychain, through `keyring`.
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Keychain {
            service: SERVICE.to_string(),
        }
    }
}

impl Keychain {
    /// A keychain under another service name, so tests never touch a user's real keys.
    pub fn with_service(service: &str) -> Keychain {
        Keychain {
            service: service.to_string(),
        }
    }

    fn entry(&self, name: &str) -> Result<keyring::Entry, KeyError> {
        check_name(name)?;
        keyring::Entry::new(&self.service, name).map_err(|e| map_err(name, e))
    }

    pub fn set(&self, name: &str, secret: &Secret) -> Result<(), KeyError> {
        self.entry(name)?
            .set_password(secret.expose())
            .map_err(|e| map_err(name, e))
    }

    /// Removes the key; `false` when there was none.
    pub fn delete(&self, name: &str) -> Result<bool, KeyError> {
        match self.entry(name)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_err(name, e)),
        }
    }
}

impl KeySource for Keychain {
    fn get(&self, name: &str) -> Result<Option<Secret>, KeyError> {
        match self.entry(name)?.get_password() {
            Ok(v) => Ok(Some(Secret(v))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(name, e)),
        }
    }
}

// keyring's errors never contain the secret, but its platform messages can be long; keep
// them as text with the key's name (never its value).
fn map_err(name: &str, e: keyring::Error) -> KeyError {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            KeyError::Unavailable(inner.to_string())
        }
        other => KeyError::Refused {
            name: name.to_string(),
            message: other.to_string(),
        },
    }
}

/// Keys held in memory, e.g. handed over by a CI job's own secret store.
#[derive(Default)]
pub struct KeyMap(Mutex<HashMap<String, Secret>>);

impl KeyMap {
    pub fn new() -> KeyMap {
        KeyMap::default()
    }
    pub fn insert(&self, name: &str, secret: Secret) {
        self.0
            .lock()
            .expect("key map lock")
            .insert(name.to_string(), secret);
    }
}

impl fmt::Debug for KeyMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self
            .0
            .lock()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        write!(f, "KeyMap({names:?}, values redacted)")
    }
}

impl KeySource for KeyMap {
    fn get(&self, name: &str) -> Result<Option<Secret>, KeyError> {
        Ok(self.0.lock().expect("key map lock").get(name).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk-live-123456");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(format!("{s}"), "[redacted]");
        let m = KeyMap::new();
        m.insert("openai", s);
        assert!(!format!("{m:?}").contains("sk-live"));
    }

    #[test]
    fn key_names_are_plain() {
        assert!(check_name("openai-prod_2").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("x/../y").is_err());
    }
}
