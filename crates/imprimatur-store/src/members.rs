//! The `members` table: the people of a workspace, their roles and their Ed25519 public
//! keys. An admin registers them; a role change updates the row and enters the audit log,
//! so who could approve what, and when, stays on record.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{StoreError, StoreResult, Timestamp};

/// What a member may do in the review workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Editor,
    Reviewer,
    BrandManager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Editor,
        Role::Reviewer,
        Role::BrandManager,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::BrandManager => "brand_manager",
            Role::Admin => "admin",
        }
    }

    /// Parses `editor`, `reviewer`, `brand_manager` (or `brand-manager`), `admin`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().replace('-', "_").as_str() {
            "editor" => Some(Role::Editor),
            "reviewer" => Some(Role::Reviewer),
            "brand_manager" => Some(Role::BrandManager),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Member {
    /// A short plain handle (`anna`, `ben.k`), used as the actor name in revisions and the audit log.
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Ed25519 public key, 64 hex digits.
    pub public_key: String,
    pub added_by: String,
    pub added_at: Timestamp,
}

impl Member {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What an admin hands in to register a member.
#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub roles: &'a [Role],
    pub public_key: &'a str,
}

pub(crate) fn roles_text(roles: &[Role]) -> String {
    let mut r: Vec<Role> = roles.to_vec();
    r.sort();
    r.dedup();
    r.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Member> {
    let roles: String = r.get(2)?;
    Ok(Member {
        id: r.get(0)?,
        name: r.get(1)?,
        roles: roles.split(',').filter_map(Role::parse).collect(),
        public_key: r.get(3)?,
        added_by: r.get(4)?,
        added_at: Timestamp(r.get(5)?),
    })
}

const COLUMNS: &str = "id, name, roles, public_key, added_by, added_at";

pub(crate) fn insert(
    conn: &Connection,
    new: &NewMember<'_>,
    actor: &str,
    now: Timestamp,
) -> StoreResult<Member> {
    if get(conn, new.id)?.is_some() {
        return Err(StoreError::MemberExists(new.id.to_string()));
    }
    conn.execute(
        &format!("INSERT INTO members ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![
            new.id,
            new.name,
            roles_text(new.roles),
            new.public_key,
            actor,
            now.0
        ],
    )?;
    get(conn, new.id)?.ok_or_else(|| StoreError::MemberNotFound(new.id.to_string()))
}

pub(crate) fn set_roles(conn: &Connection, id: &str, roles: &[Role]) -> StoreResult<Member> {
    let n = conn.execute(
        "UPDATE members SET roles = ?2 WHERE id = ?1",
        params![id, roles_text(roles)],
    )?;
    if n == 0 {
        return Err(StoreError::MemberNotFound(id.to_string()));
    }
    get(conn, id)?.ok_or_else(|| StoreError::MemberNotFound(id.to_string()))
}

pub(crate) fn get(conn: &Connection, id: &str) -> StoreResult<Option<Member>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM members WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?)
}

pub(crate) fn list(conn: &Connection) -> StoreResult<Vec<Member>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM members ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
