//! Registering members. An admin (who proved their key) adds members and changes roles;
//! the very first member of a workspace registers themself and must be an admin.

use imprimatur_store::NewMember;

use crate::keys::{check_member_id, parse_public_key};
use crate::{Actor, Member, ReviewError, ReviewResult, Role, Store, Timestamp};

/// Adds a member with `roles` and their Ed25519 public key (hex). `admin` is the acting
/// admin; `None` only while the workspace has no members, and then `roles` must include
/// admin.
pub fn add_member(
    store: &mut Store,
    admin: Option<&Actor>,
    id: &str,
    name: &str,
    roles: &[Role],
    public_key: &str,
    now: Timestamp,
) -> ReviewResult<Member> {
    check_member_id(id)?;
    parse_public_key(public_key)?;
    let actor = match admin {
        Some(a) => {
            a.require(Role::Admin, "add members")?;
            a.id().to_string()
        }
        None => {
            if let Some(first) = store.members()?.first() {
                return Err(ReviewError::MissingRole {
                    actor: format!(
                        "someone without a proven key (the workspace already has members, e.g. {})",
                        first.id
                    ),
                    role: Role::Admin,
                    action: "add members",
                });
            }
            if !roles.contains(&Role::Admin) {
                return Err(ReviewError::FirstMemberMustBeAdmin);
            }
            id.to_string()
        }
    };
    let name = if name.trim().is_empty() {
        id
    } else {
        name.trim()
    };
    Ok(store.add_member(
        &NewMember {
            id,
            name,
            roles,
            public_key: public_key.trim(),
        },
        &actor,
        now,
    )?)
}

/// Replaces `id`'s roles. Needs an admin; an admin cannot take the last admin role away.
pub fn set_roles(
    store: &mut Store,
    admin: &Actor,
    id: &str,
    roles: &[Role],
    now: Timestamp,
) -> ReviewResult<Member> {
    admin.require(Role::Admin, "change roles")?;
    let target = store
        .member(id)?
        .ok_or_else(|| ReviewError::NotAMember(id.to_string()))?;
    if target.has(Role::Admin) && !roles.contains(&Role::Admin) {
        let admins = store
            .members()?
            .iter()
            .filter(|m| m.has(Role::Admin))
            .count();
        if admins <= 1 {
            return Err(ReviewError::Settings(format!(
                "{id} is the last admin; make someone else admin first"
            )));
        }
    }
    Ok(store.set_member_roles(id, roles, admin.id(), now)?)
}
