//! What gets signed, byte for byte. Statements (decisions, waivers) are length-prefixed
//! fields under a domain tag, so a third party can rebuild them from the evidence pack
//! without our JSON library. Files (bundles, decision files, evidence packs) are a JSON
//! envelope whose signature covers the compact JSON of its payload.

use ed25519_dalek::{Signature, Verifier};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::keys::parse_public_key_opt;
use crate::{Actor, Decision, Refusal, Waiver};

/// `imprimatur/<domain>\n` followed by the message.
pub(crate) fn tagged(domain: &str, message: &[u8]) -> Vec<u8> {
    let mut out = format!("imprimatur/{domain}\n").into_bytes();
    out.extend_from_slice(message);
    out
}

/// Fields as 8-byte big-endian length plus UTF-8 bytes, so moving text between fields
/// changes the message.
pub(crate) fn fields(parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(&(p.len() as u64).to_be_bytes());
        out.extend_from_slice(p.as_bytes());
    }
    out
}

pub const DECISION_DOMAIN: &str = "decision/1";
pub const WAIVER_DOMAIN: &str = "waiver/1";

/// The signed statement of a decision: document id, revision id, exact content hash,
/// check-report hash, verdict, reviewer, time and comment.
pub fn decision_statement(d: &Decision) -> Vec<u8> {
    fields(&[
        d.document_id.as_str(),
        d.revision_id.as_str(),
        &d.content_hash,
        &d.report_hash,
        d.verdict.as_str(),
        &d.reviewer,
        &d.decided_at.0.to_string(),
        &d.comment,
    ])
}

/// The signed statement of a waiver: document, revision, finding code, matched text, its
/// context, the reason, reviewer and time.
pub fn waiver_statement(w: &Waiver) -> Vec<u8> {
    fields(&[
        w.document_id.as_str(),
        w.revision_id.as_str(),
        &w.code,
        &w.matched,
        &w.context,
        &w.reason,
        &w.reviewer,
        &w.waived_at.0.to_string(),
    ])
}

/// Whether `signature_hex` is `public_key_hex`'s signature of `message` under `domain`.
pub fn verify(domain: &str, message: &[u8], public_key_hex: &str, signature_hex: &str) -> bool {
    let Some(key) = parse_public_key_opt(public_key_hex) else {
        return false;
    };
    let Some(sig) = hex::decode(signature_hex.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
    else {
        return false;
    };
    key.verify(&tagged(domain, message), &Signature::from_bytes(&sig))
        .is_ok()
}

pub fn verify_decision(d: &Decision) -> bool {
    verify(
        DECISION_DOMAIN,
        &decision_statement(d),
        &d.public_key,
        &d.signature,
    )
}

pub fn verify_waiver(w: &Waiver) -> bool {
    verify(
        WAIVER_DOMAIN,
        &waiver_statement(w),
        &w.public_key,
        &w.signature,
    )
}

/// SHA-256 hex of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A signed file: `format` names what it is, `signature` covers the tag `format` and the
/// compact JSON of `payload`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub format: String,
    pub signer: String,
    pub public_key: String,
    pub signature: String,
    pub payload: serde_json::Value,
}

/// Serialises `payload`, signs it as `actor` and returns the file's bytes (pretty JSON).
pub(crate) fn seal<T: Serialize>(format: &str, payload: &T, actor: &Actor) -> Vec<u8> {
    let value = serde_json::to_value(payload).expect("payloads serialise");
    let compact = serde_json::to_vec(&value).expect("values serialise");
    let env = Envelope {
        format: format.to_string(),
        signer: actor.id().to_string(),
        public_key: actor.public_key(),
        signature: actor.sign(format, &compact),
        payload: value,
    };
    let mut out = serde_json::to_vec_pretty(&env).expect("envelopes serialise");
    out.push(b'\n');
    out
}

/// Reads a signed file of `format`, checks that its signature verifies with the public
/// key it names, and parses the payload. Whether that key belongs to the signer is the
/// caller's question.
pub(crate) fn open<T: DeserializeOwned>(
    bytes: &[u8],
    format: &'static str,
) -> Result<(Envelope, T), Refusal> {
    let not_this = |detail: String| Refusal::NotThisFormat {
        expected: format,
        detail,
    };
    let env: Envelope =
        serde_json::from_slice(bytes).map_err(|e| not_this(format!("unreadable JSON: {e}")))?;
    if env.format != format {
        return Err(not_this(format!("its format is {:?}", env.format)));
    }
    let compact = serde_json::to_vec(&env.payload).expect("values serialise");
    if !verify(format, &compact, &env.public_key, &env.signature) {
        return Err(Refusal::BadSignature {
            signer: env.signer.clone(),
        });
    }
    let payload = serde_json::from_value(env.payload.clone())
        .map_err(|e| not_this(format!("its content does not fit: {e}")))?;
    Ok((env, payload))
}
