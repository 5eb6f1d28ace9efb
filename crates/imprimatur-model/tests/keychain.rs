//! Keys in the OS keychain through `keyring` (Secret Service on Linux): store, read,
//! use, delete, and never show. `scripts/test.sh` runs this under `dbus-run-session`
//! with an unlocked `gnome-keyring-daemon` and sets IMPRIMATUR_REQUIRE_KEYCHAIN=1, so in
//! CI a missing keychain is a failure; elsewhere, without a session bus, the test says
//! it was skipped and why.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use imprimatur_model::*;
use imprimatur_store::{Store, Timestamp};

fn keychain_or_skip() -> Option<Keychain> {
    let required = std::env::var_os("IMPRIMATUR_REQUIRE_KEYCHAIN").is_some();
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        assert!(
            !required,
            "IMPRIMATUR_REQUIRE_KEYCHAIN is set but there is no D-Bus session bus"
        );
        println!("SKIPPED: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset), so no Secret Service; run under scripts/with-keyring.sh");
        return None;
    }
    // A service name of its own, so the test never touches a user's real keys.
    let kc = Keychain::with_service(&format!("imprimatur-test-{}", std::process::id()));
    // Writing first: a fresh keyring has no collection until something is stored in it.
    match kc
        .set("probe", &Secret::new("probe"))
        .and_then(|_| kc.delete("probe"))
    {
        Err(KeyError::Unavailable(why)) if !required => {
            println!("SKIPPED: the session bus has no Secret Service ({why}); run under scripts/with-keyring.sh");
            None
        }
        Err(e) => panic!("keychain: {e}"),
        Ok(_) => Some(kc),
    }
}

#[test]
fn a_key_is_stored_used_and_deleted_without_ever_being_shown() {
    let Some(kc) = keychain_or_skip() else { return };
    let value = "sk-keychain-test-9f8e7d6c5b4a";
    assert_eq!(kc.get("openai").unwrap(), None);
    kc.set("openai", &Secret::new(value)).unwrap();
    let got = kc.get("openai").unwrap().expect("stored");
    assert_eq!(got.expose(), value);
    assert!(!format!("{got:?} {got} {kc:?}").contains(value));

    // The router takes the key from the keychain into the request header, and nowhere else.
    let server = Server::start(move |n, _| {
        if n == 0 {
            Reply::Sse {
                events: openai_events(&["ok"], Some((3, 1))),
                delay: Duration::ZERO,
            }
        } else {
            Reply::Status {
                code: 401,
                headers: vec![],
                body: format!(r#"{{"error":{{"message":"Incorrect API key provided: {value}"}}}}"#),
            }
        }
    });
    let config = ModelsConfig::from_toml(&format!(
        "default = [\"gpt\"]\n[providers.gpt]\npreset = \"openai\"\nmodel = \"gpt-4o-mini\"\nkey = \"openai\"\nbase_url = \"{}/v1\"\n",
        server.url
    ))
    .unwrap();
    let router = Router::new(config, Arc::new(kc.clone()));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let mut store = Store::open(&db).unwrap();
    let ask = Ask::new(Task::Draft, vec![Message::user("Hallo")], "anna");
    let a = router
        .ask(&mut store, &ask, Timestamp(1), &mut |_| {}, &Cancel::new())
        .unwrap();
    assert_eq!(a.text, "ok");
    assert_eq!(
        server.received()[0].header("authorization"),
        Some(format!("Bearer {value}").as_str())
    );
    let mut other = ask.clone();
    other.params.temperature = 0.5;
    let err = router
        .ask(
            &mut store,
            &other,
            Timestamp(2),
            &mut |_| {},
            &Cancel::new(),
        )
        .unwrap_err();
    assert!(!err.to_string().contains(value) && !format!("{err:?}").contains(value));
    drop(store);
    let bytes = std::fs::read(&db).unwrap();
    let wal = std::fs::read(dir.path().join("s.db-wal")).unwrap_or_default();
    let needle = value.as_bytes();
    for file in [&bytes, &wal] {
        assert!(
            !file.windows(needle.len()).any(|w| w == needle),
            "the key is in the database"
        );
    }

    assert!(kc.delete("openai").unwrap());
    assert_eq!(kc.get("openai").unwrap(), None);
    assert!(!kc.delete("openai").unwrap());
    println!("Secret Service keychain: stored, used, redacted, deleted");
}
