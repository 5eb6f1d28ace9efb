//! Signing keys: one Ed25519 key pair per person, the private half in the OS keychain
//! (the same keychain layer as model API keys), filed as `signing.<member>`. A person's
//! key is per computer, not per workspace: the same key signs in every workspace that
//! registered its public half.

use ed25519_dalek::{SigningKey, VerifyingKey};
use imprimatur_model::{KeyError, KeyMap, KeySource, Keychain, Secret};

use crate::{ReviewError, ReviewResult};

/// Where private signing keys live. The app and CLI use [`Keychain`]; tests whose subject
/// is not the keychain use [`MemoryKeys`].
pub trait SigningKeys: Send + Sync {
    fn load(&self, account: &str) -> Result<Option<Secret>, KeyError>;
    fn store(&self, account: &str, secret: &Secret) -> Result<(), KeyError>;
}

impl SigningKeys for Keychain {
    fn load(&self, account: &str) -> Result<Option<Secret>, KeyError> {
        self.get(account)
    }
    fn store(&self, account: &str, secret: &Secret) -> Result<(), KeyError> {
        self.set(account, secret)
    }
}

/// Keys held in memory, for tests that are not about the keychain.
#[derive(Debug, Default)]
pub struct MemoryKeys(KeyMap);

impl MemoryKeys {
    pub fn new() -> MemoryKeys {
        MemoryKeys::default()
    }
}

impl SigningKeys for MemoryKeys {
    fn load(&self, account: &str) -> Result<Option<Secret>, KeyError> {
        self.0.get(account)
    }
    fn store(&self, account: &str, secret: &Secret) -> Result<(), KeyError> {
        self.0.insert(account, secret.clone());
        Ok(())
    }
}

/// The keychain account of `member`'s private key.
pub fn account(member: &str) -> String {
    format!("signing.{member}")
}

/// Member ids are keychain account names and actor names: keep them plain.
pub fn check_member_id(id: &str) -> ReviewResult<()> {
    let mut chars = id.chars();
    let ok = id.len() <= 40
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(ReviewError::BadMemberId(id.to_string()))
    }
}

/// The private key of `member` in `keys`, if there is one.
pub(crate) fn load_signing_key(
    keys: &dyn SigningKeys,
    member: &str,
) -> ReviewResult<Option<SigningKey>> {
    check_member_id(member)?;
    let Some(secret) = keys.load(&account(member))? else {
        return Ok(None);
    };
    let bytes: [u8; 32] = hex::decode(secret.expose().trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| ReviewError::KeyMismatch {
            member: member.to_string(),
        })?;
    Ok(Some(SigningKey::from_bytes(&bytes)))
}

/// The public key (hex) of `member`'s key pair in `keys`, creating the pair on first use.
/// An admin registers this public key with the member.
pub fn ensure_key(keys: &dyn SigningKeys, member: &str) -> ReviewResult<String> {
    if let Some(k) = load_signing_key(keys, member)? {
        return Ok(hex::encode(k.verifying_key().as_bytes()));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        ReviewError::Keys(KeyError::Unavailable(format!(
            "no random numbers from the operating system: {e}"
        )))
    })?;
    let key = SigningKey::from_bytes(&seed);
    keys.store(&account(member), &Secret::new(hex::encode(seed)))?;
    Ok(hex::encode(key.verifying_key().as_bytes()))
}

/// The public key (hex) of `member`'s key pair in `keys`, if there is one.
pub fn public_key(keys: &dyn SigningKeys, member: &str) -> ReviewResult<Option<String>> {
    Ok(load_signing_key(keys, member)?.map(|k| hex::encode(k.verifying_key().as_bytes())))
}

/// Parses a hex Ed25519 public key.
pub fn parse_public_key(hex_key: &str) -> ReviewResult<VerifyingKey> {
    parse_public_key_opt(hex_key).ok_or_else(|| ReviewError::BadPublicKey(hex_key.to_string()))
}

pub(crate) fn parse_public_key_opt(hex_key: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}
