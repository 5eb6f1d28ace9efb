//! Signing keys in the OS keychain (Secret Service on Linux): a key pair is made once per
//! person, its private half never leaves the keychain, and acting as a member needs the
//! key registered for them. scripts/test.sh runs this under scripts/with-keyring.sh
//! (IMPRIMATUR_REQUIRE_KEYCHAIN=1); elsewhere, without a session bus, it is skipped.

use imprimatur_model::{KeyError, KeySource, Keychain, Secret};
use imprimatur_review::*;

fn keychain_or_skip(suffix: &str) -> Option<Keychain> {
    let required = std::env::var_os("IMPRIMATUR_REQUIRE_KEYCHAIN").is_some();
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            !required,
            "IMPRIMATUR_REQUIRE_KEYCHAIN is set but there is no D-Bus session bus"
        );
        println!("SKIPPED: no D-Bus session bus, so no Secret Service; run under scripts/with-keyring.sh");
        return None;
    }
    let kc = Keychain::with_service(&format!(
        "imprimatur-test-signing-{}-{suffix}",
        std::process::id()
    ));
    match kc
        .set("probe", &Secret::new("probe"))
        .and_then(|_| kc.delete("probe"))
    {
        Err(KeyError::Unavailable(why)) if !required => {
            println!("SKIPPED: the session bus has no Secret Service ({why})");
            None
        }
        Err(e) => panic!("keychain: {e}"),
        Ok(_) => Some(kc),
    }
}

#[test]
fn two_people_each_with_a_key_in_the_keychain_and_nobody_acts_as_the_other() {
    let Some(kc) = keychain_or_skip("a") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let ada = ensure_key(&kc, "ada").unwrap();
    assert_eq!(
        ensure_key(&kc, "ada").unwrap(),
        ada,
        "made once, then reused"
    );
    let rolf = ensure_key(&kc, "rolf").unwrap();
    assert_ne!(ada, rolf);
    add_member(
        &mut store,
        None,
        "ada",
        "Ada",
        &[Role::Admin, Role::Editor],
        &ada,
        Timestamp(1),
    )
    .unwrap();
    let admin = Actor::prove(&store, "ada", &kc, Timestamp(2)).unwrap();
    add_member(
        &mut store,
        Some(&admin),
        "rolf",
        "Rolf",
        &[Role::Reviewer],
        &rolf,
        Timestamp(3),
    )
    .unwrap();
    let r = Actor::prove(&store, "rolf", &kc, Timestamp(4)).unwrap();
    assert_eq!(r.public_key(), rolf);
    // The private key is in the keychain under signing.rolf, and never printed.
    let stored = kc.get("signing.rolf").unwrap().expect("in the keychain");
    assert!(!format!("{r:?}").contains(stored.expose()));
    // Another computer's keychain (another service) holds no key of rolf's.
    let Some(elsewhere) = keychain_or_skip("b") else {
        return;
    };
    let err = Actor::prove(&store, "rolf", &elsewhere, Timestamp(5)).unwrap_err();
    assert_eq!(err.code(), "review.no_key");
    // A key of its own made there does not pass for rolf's registered key.
    ensure_key(&elsewhere, "rolf").unwrap();
    let err = Actor::prove(&store, "rolf", &elsewhere, Timestamp(6)).unwrap_err();
    assert_eq!(err.code(), "review.key_mismatch");
    for (k, name) in [
        (&kc, "signing.ada"),
        (&kc, "signing.rolf"),
        (&elsewhere, "signing.rolf"),
    ] {
        assert!(k.delete(name).unwrap());
    }
    println!("Secret Service keychain: two signing keys made, proved, refused elsewhere, deleted");
}
