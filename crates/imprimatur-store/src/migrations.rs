//! Forward-only schema migrations, numbered by SQLite's `user_version`.
//!
//! Hand-written rather than a migration crate: it is a list of SQL strings and one loop,
//! and it keeps us free of that crate's rusqlite version pin.

use rusqlite::Connection;

use crate::{StoreError, StoreResult};

/// Never edit a shipped entry; append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: documents, revisions, audit log.
    r#"
    CREATE TABLE documents (
        id          TEXT PRIMARY KEY,
        title       TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        head        TEXT
    ) STRICT;

    CREATE TABLE revisions (
        id           TEXT PRIMARY KEY,
        document_id  TEXT NOT NULL REFERENCES documents(id),
        number       INTEGER NOT NULL,
        parent       TEXT REFERENCES revisions(id),
        content_hash TEXT NOT NULL,
        author       TEXT NOT NULL,
        origin       TEXT NOT NULL CHECK (origin IN ('human', 'ai', 'import')),
        message      TEXT,
        created_at   INTEGER NOT NULL,
        size         INTEGER NOT NULL,
        base         TEXT REFERENCES revisions(id),
        body         BLOB NOT NULL,
        UNIQUE (document_id, number)
    ) STRICT;

    CREATE TRIGGER revisions_are_immutable BEFORE UPDATE ON revisions
    BEGIN SELECT RAISE(ABORT, 'revisions are immutable'); END;
    CREATE TRIGGER revisions_are_kept BEFORE DELETE ON revisions
    BEGIN SELECT RAISE(ABORT, 'revisions are never deleted'); END;

    CREATE TABLE audit (
        seq        INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        actor      TEXT NOT NULL,
        action     TEXT NOT NULL,
        subject    TEXT NOT NULL,
        details    TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
    ) STRICT;

    CREATE TRIGGER audit_is_append_only BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_is_kept BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

    -- The newest audit hash, written in the same transaction as the entry, so that
    -- cutting entries off the end of the chain is noticed too.
    CREATE TABLE audit_head (
        one   INTEGER PRIMARY KEY CHECK (one = 1),
        seq   INTEGER NOT NULL,
        hash  TEXT NOT NULL
    ) STRICT;
    "#,
    // 2: findings a person chose to ignore, with the reason.
    r#"
    CREATE TABLE ignores (
        id           TEXT PRIMARY KEY,
        document_id  TEXT NOT NULL REFERENCES documents(id),
        code         TEXT NOT NULL,
        scope        TEXT NOT NULL CHECK (scope IN ('here', 'document')),
        matched      TEXT NOT NULL,
        context      TEXT NOT NULL,
        reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        author       TEXT NOT NULL,
        created_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX ignores_by_document ON ignores(document_id);
    "#,
    // 3: documents that track a workspace file (a style rule, imprimatur.toml), so every
    // change to the file is a revision like any text's. They are not articles.
    r#"
    ALTER TABLE documents ADD COLUMN file TEXT;
    CREATE UNIQUE INDEX documents_by_file ON documents(file) WHERE file IS NOT NULL;
    "#,
    // 4: the cost ledger of language-model calls; each row pins its price table and
    // unit prices and points at its audit entry. Append-only like the audit log.
    r#"
    CREATE TABLE model_calls (
        id               INTEGER PRIMARY KEY,
        at               INTEGER NOT NULL,
        actor            TEXT NOT NULL,
        document         TEXT,
        task             TEXT NOT NULL,
        model            TEXT NOT NULL,
        preset           TEXT NOT NULL,
        provider_model   TEXT NOT NULL,
        locality         TEXT NOT NULL CHECK (locality IN ('local', 'cloud')),
        outcome          TEXT NOT NULL CHECK (outcome IN ('ok', 'failed', 'cancelled')),
        cached           INTEGER NOT NULL,
        input_tokens     INTEGER NOT NULL,
        output_tokens    INTEGER NOT NULL,
        tokens_estimated INTEGER NOT NULL,
        price_table      TEXT NOT NULL,
        currency         TEXT NOT NULL,
        input_price      REAL NOT NULL,
        output_price     REAL NOT NULL,
        cost_micros      INTEGER NOT NULL,
        latency_ms       INTEGER NOT NULL,
        audit_seq        INTEGER NOT NULL REFERENCES audit(seq)
    ) STRICT;
    CREATE INDEX model_calls_by_time ON model_calls(at);
    CREATE INDEX model_calls_by_document ON model_calls(document) WHERE document IS NOT NULL;
    CREATE TRIGGER model_calls_are_kept BEFORE DELETE ON model_calls
    BEGIN SELECT RAISE(ABORT, 'the cost ledger is append-only'); END;
    CREATE TRIGGER model_calls_are_immutable BEFORE UPDATE ON model_calls
    BEGIN SELECT RAISE(ABORT, 'the cost ledger is append-only'); END;
    "#,
    // 5: the review workflow: members with roles and public keys, the check report of each
    // reviewed revision, the workflow state, signed decisions, waivers, comments on text
    // ranges, publications. Decisions, reports and publications are append-only.
    r#"
    CREATE TABLE members (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        roles       TEXT NOT NULL,
        public_key  TEXT NOT NULL,
        added_by    TEXT NOT NULL,
        added_at    INTEGER NOT NULL
    ) STRICT;
    CREATE TRIGGER members_are_kept BEFORE DELETE ON members
    BEGIN SELECT RAISE(ABORT, 'members are never deleted; take their roles away'); END;

    CREATE TABLE check_reports (
        document_id  TEXT NOT NULL REFERENCES documents(id),
        content_hash TEXT NOT NULL,
        report       TEXT NOT NULL,
        report_hash  TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        PRIMARY KEY (document_id, content_hash)
    ) STRICT;
    CREATE TRIGGER check_reports_are_immutable BEFORE UPDATE ON check_reports
    BEGIN SELECT RAISE(ABORT, 'check reports are immutable'); END;
    CREATE TRIGGER check_reports_are_kept BEFORE DELETE ON check_reports
    BEGIN SELECT RAISE(ABORT, 'check reports are never deleted'); END;

    CREATE TABLE workflow (
        document_id TEXT PRIMARY KEY REFERENCES documents(id),
        state       TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'changes_requested', 'approved', 'published')),
        revision_id TEXT NOT NULL REFERENCES revisions(id),
        changed_by  TEXT NOT NULL,
        changed_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE decisions (
        id           TEXT PRIMARY KEY,
        document_id  TEXT NOT NULL REFERENCES documents(id),
        revision_id  TEXT NOT NULL REFERENCES revisions(id),
        content_hash TEXT NOT NULL,
        report_hash  TEXT NOT NULL,
        verdict      TEXT NOT NULL CHECK (verdict IN ('approve', 'request_changes')),
        reviewer     TEXT NOT NULL,
        decided_at   INTEGER NOT NULL,
        comment      TEXT NOT NULL,
        public_key   TEXT NOT NULL,
        signature    TEXT NOT NULL,
        via          TEXT NOT NULL CHECK (via IN ('local', 'decision_file')),
        recorded_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX decisions_by_document ON decisions(document_id);
    CREATE TRIGGER decisions_are_immutable BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are immutable'); END;
    CREATE TRIGGER decisions_are_kept BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are never deleted'); END;

    CREATE TABLE waivers (
        id           TEXT PRIMARY KEY,
        document_id  TEXT NOT NULL REFERENCES documents(id),
        revision_id  TEXT NOT NULL REFERENCES revisions(id),
        code         TEXT NOT NULL,
        matched      TEXT NOT NULL,
        context      TEXT NOT NULL,
        reason       TEXT NOT NULL CHECK (length(trim(reason)) > 0),
        reviewer     TEXT NOT NULL,
        waived_at    INTEGER NOT NULL,
        public_key   TEXT NOT NULL,
        signature    TEXT NOT NULL,
        revoked_by   TEXT,
        revoked_at   INTEGER
    ) STRICT;
    CREATE INDEX waivers_by_document ON waivers(document_id);
    CREATE TRIGGER waivers_are_kept BEFORE DELETE ON waivers
    BEGIN SELECT RAISE(ABORT, 'waivers are never deleted; revoke them'); END;

    CREATE TABLE comments (
        id           TEXT PRIMARY KEY,
        document_id  TEXT NOT NULL REFERENCES documents(id),
        revision_id  TEXT NOT NULL REFERENCES revisions(id),
        start        INTEGER NOT NULL,
        "end"        INTEGER NOT NULL,
        quote        TEXT NOT NULL,
        prefix       TEXT NOT NULL,
        suffix       TEXT NOT NULL,
        body         TEXT NOT NULL,
        author       TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        decision_id  TEXT,
        resolved_by  TEXT,
        resolved_at  INTEGER
    ) STRICT;
    CREATE INDEX comments_by_document ON comments(document_id);

    CREATE TABLE publications (
        id            TEXT PRIMARY KEY,
        document_id   TEXT NOT NULL REFERENCES documents(id),
        revision_id   TEXT NOT NULL REFERENCES revisions(id),
        content_hash  TEXT NOT NULL,
        decision_id   TEXT NOT NULL REFERENCES decisions(id),
        publisher     TEXT NOT NULL,
        published_at  INTEGER NOT NULL,
        evidence_hash TEXT NOT NULL
    ) STRICT;
    CREATE TRIGGER publications_are_immutable BEFORE UPDATE ON publications
    BEGIN SELECT RAISE(ABORT, 'publications are immutable'); END;
    CREATE TRIGGER publications_are_kept BEFORE DELETE ON publications
    BEGIN SELECT RAISE(ABORT, 'publications are never deleted'); END;
    "#,
    // 6: provenance of revisions of documents with AI text: spans of AI and human bytes,
    // carried across revisions by diffing (provenance.rs).
    r#"
    CREATE TABLE provenance (
        revision_id TEXT PRIMARY KEY REFERENCES revisions(id),
        -- JSON array of {start, end, origin, revision}, covering the content.
        spans       TEXT NOT NULL,
        ai_bytes    INTEGER NOT NULL,
        total_bytes INTEGER NOT NULL
    ) STRICT;
    "#,
];

pub(crate) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let known = MIGRATIONS.len() as u32;
    let current: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as u32);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::SchemaTooNew { found: 99, .. }));
    }
}
