//! Who is acting. An [`Actor`] exists only after the member's private key answered a
//! fresh challenge against the public key registered in the workspace, so nobody acts as
//! someone else by typing their name.

use ed25519_dalek::{Signer, SigningKey, Verifier};

use crate::keys::{load_signing_key, parse_public_key, SigningKeys};
use crate::{Member, ReviewError, ReviewResult, Role, Store, Timestamp};

/// A member who proved possession of their registered key. Holds the key to sign
/// decisions, waivers, bundles and evidence packs.
pub struct Actor {
    member: Member,
    key: SigningKey,
}

impl std::fmt::Debug for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Actor({}, key redacted)", self.member.id)
    }
}

impl Actor {
    /// Proves that this computer holds `member_id`'s private key: signs a fresh random
    /// challenge (with the time) and verifies it with the public key the workspace
    /// registered for that member.
    pub fn prove(
        store: &Store,
        member_id: &str,
        keys: &dyn SigningKeys,
        now: Timestamp,
    ) -> ReviewResult<Actor> {
        let member = store
            .member(member_id)?
            .ok_or_else(|| ReviewError::NotAMember(member_id.to_string()))?;
        let key = load_signing_key(keys, member_id)?.ok_or_else(|| ReviewError::NoKey {
            member: member_id.to_string(),
        })?;
        let registered = parse_public_key(&member.public_key)?;
        let mut nonce = [0u8; 32];
        getrandom::fill(&mut nonce).map_err(|e| {
            ReviewError::Keys(imprimatur_model::KeyError::Unavailable(format!(
                "no random numbers from the operating system: {e}"
            )))
        })?;
        let mut challenge = b"imprimatur/identity-challenge/1\n".to_vec();
        challenge.extend_from_slice(member_id.as_bytes());
        challenge.extend_from_slice(&now.0.to_be_bytes());
        challenge.extend_from_slice(&nonce);
        let answer = key.sign(&challenge);
        registered
            .verify(&challenge, &answer)
            .map_err(|_| ReviewError::KeyMismatch {
                member: member_id.to_string(),
            })?;
        Ok(Actor { member, key })
    }

    /// The member's id, as recorded in revisions and the audit log.
    pub fn id(&self) -> &str {
        &self.member.id
    }

    pub fn member(&self) -> &Member {
        &self.member
    }

    pub fn has(&self, role: Role) -> bool {
        self.member.has(role)
    }

    /// The public key (hex) that verifies this actor's signatures.
    pub fn public_key(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// Signs `message` under a domain tag; hex signature.
    pub(crate) fn sign(&self, domain: &str, message: &[u8]) -> String {
        hex::encode(
            self.key
                .sign(&crate::signing::tagged(domain, message))
                .to_bytes(),
        )
    }

    pub(crate) fn require(&self, role: Role, action: &'static str) -> ReviewResult<()> {
        if self.has(role) {
            Ok(())
        } else {
            Err(ReviewError::MissingRole {
                actor: self.id().to_string(),
                role,
                action,
            })
        }
    }
}
