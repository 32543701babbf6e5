//! Entities: reads, and the create / update / deactivate transactions that
//! tie data, unique values, verifications and the audit row together. One
//! write path for both backends; it runs inside the backend's write
//! transaction, after [`load_for_write`] has made the entity the
//! transaction's alone (PostgreSQL's row lock; SQLite's one writer).
//!
//! The invariant this file enforces: **a write commits exactly the version
//! its decision was made on.** An update carries the version the module
//! decided on ([`Update::decided_on`]); it is compared with the row read
//! for writing, and a mismatch changes nothing (the service re-reads,
//! re-decides and tries again).

use std::collections::BTreeMap;
use std::collections::BTreeSet;

use serde_json::Value;

use super::codes::CodeIssuer;
use super::conn::{Conn, Dialect, args};
use super::decisions::{
    check_version, check_writable, dispatched_pointers, left_values, require_object, top_level_pointers, verified_state,
};
use super::error::StoreError;
use super::model::{
    Entity, EntityId, FieldDispatch, NewEntity, Status, Timestamp, Update, VerificationPolicy, Written,
};
use super::rows::EntityRow;
use super::{unique, verification};

/// An entity row with its external keys as a JSON object and the fields it
/// holds current unique values of as a JSON array: one statement, so a
/// write reads its entity in one round trip.
#[derive(Debug, sqlx::FromRow)]
struct LoadRow {
    #[sqlx(flatten)]
    entity: EntityRow,
    ext_keys: String,
    unique_fields: String,
}

/// The statement that reads an entity; `for_write` adds its unique fields
/// and, on PostgreSQL, locks the row until the transaction ends (every
/// host's writes of this entity queue there; SQLite's write transaction
/// already excludes every other writer).
fn load_sql(dialect: Dialect, for_write: bool) -> &'static str {
    match (dialect, for_write) {
        (Dialect::Sqlite, false) => {
            "SELECT status, data, version, created_at, updated_at,
                    (SELECT json_group_object(ext_type, ext_key) FROM external_keys WHERE entity_id = e.id) AS ext_keys,
                    '[]' AS unique_fields
             FROM entities e WHERE id = $1"
        }
        (Dialect::Sqlite, true) => {
            "SELECT status, data, version, created_at, updated_at,
                    (SELECT json_group_object(ext_type, ext_key) FROM external_keys WHERE entity_id = e.id) AS ext_keys,
                    (SELECT json_group_array(DISTINCT field) FROM unique_values
                     WHERE entity_id = e.id AND pending = 0) AS unique_fields
             FROM entities e WHERE id = $1"
        }
        (Dialect::Postgres, false) => {
            "SELECT status, data, version, created_at, updated_at,
                    (SELECT COALESCE(json_object_agg(ext_type, ext_key), '{}')::text
                     FROM external_keys WHERE entity_id = e.id) AS ext_keys,
                    '[]' AS unique_fields
             FROM entities e WHERE id = $1"
        }
        (Dialect::Postgres, true) => {
            "SELECT status, data, version, created_at, updated_at,
                    (SELECT COALESCE(json_object_agg(ext_type, ext_key), '{}')::text
                     FROM external_keys WHERE entity_id = e.id) AS ext_keys,
                    (SELECT COALESCE(json_agg(DISTINCT field), '[]')::text FROM unique_values
                     WHERE entity_id = e.id AND NOT pending) AS unique_fields
             FROM entities e WHERE id = $1 FOR UPDATE OF e"
        }
    }
}

async fn read(conn: &mut Conn<'_>, id: EntityId, for_write: bool) -> Result<(Entity, Vec<String>), StoreError> {
    let row: LoadRow =
        conn.fetch_optional(load_sql(conn.dialect(), for_write), args![id]).await?.ok_or(StoreError::NotFound)?;
    let ext_keys: BTreeMap<String, String> = serde_json::from_str(&row.ext_keys)?;
    Ok((row.entity.into_entity(id, ext_keys)?, serde_json::from_str(&row.unique_fields)?))
}

/// The entity with its external keys. Errors: `NotFound`.
pub(super) async fn load(conn: &mut Conn<'_>, id: EntityId) -> Result<Entity, StoreError> {
    Ok(read(conn, id, false).await?.0)
}

/// The entity, the transaction's alone from here on, and the fields it
/// holds current unique values of. Errors: `NotFound`.
pub(super) async fn load_for_write(conn: &mut Conn<'_>, id: EntityId) -> Result<(Entity, Vec<String>), StoreError> {
    read(conn, id, true).await
}

/// The entity holding an external key, if any.
pub(super) async fn find_ext_key(
    conn: &mut Conn<'_>,
    ext_type: &str,
    ext_key: &str,
) -> Result<Option<EntityId>, StoreError> {
    conn.scalar_optional(
        "SELECT entity_id FROM external_keys WHERE ext_type = $1 AND ext_key = $2",
        args![ext_type, ext_key],
    )
    .await
}

pub(super) async fn create(
    conn: &mut Conn<'_>,
    policy: &VerificationPolicy,
    new: NewEntity,
    codes: &dyn CodeIssuer,
) -> Result<Written, StoreError> {
    let fields = top_level_pointers(&new.data)?;
    unique::check(conn, None, &new.unique, new.now).await?;
    for (ext_type, ext_key) in &new.ext_keys {
        if find_ext_key(conn, ext_type, ext_key).await?.is_some() {
            return Err(ext_key_taken(ext_type, ext_key));
        }
    }

    let data = serde_json::to_string(&new.data)?;
    let id: EntityId = conn
        .scalar(
            "INSERT INTO entities (status, data, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)
             RETURNING id",
            args![new.status.as_str(), &data, new.now],
        )
        .await?;
    for (ext_type, ext_key) in &new.ext_keys {
        // Checked above, but another host may have taken it since: the
        // primary key decides, and a lost race answers like the check.
        let inserted = conn
            .execute(
                "INSERT INTO external_keys (ext_type, ext_key, entity_id) VALUES ($1, $2, $3)
                 ON CONFLICT (ext_type, ext_key) DO NOTHING",
                args![ext_type, ext_key, id],
            )
            .await?;
        if inserted == 0 {
            return Err(ext_key_taken(ext_type, ext_key));
        }
    }
    // On create the verified values are already in the data, so every claim
    // is current; the codes only confirm them.
    for claim in &new.unique {
        unique::claim(conn, id, &claim.field, &claim.value, false).await?;
    }
    let mut dispatched = Vec::with_capacity(new.verifications.len());
    for request in &new.verifications {
        dispatched.push(verification::dispatch(conn, policy, id, new.now, request, None, codes).await?);
    }
    audit(conn, new.now, &new.app, id, "create", &fields, &dispatched).await?;
    let entity = Entity {
        id,
        status: new.status,
        data: new.data,
        version: 1,
        ext_keys: new.ext_keys,
        created_at: new.now,
        updated_at: new.now,
    };
    Ok(Written { entity, verifications: dispatched })
}

pub(super) async fn update(
    conn: &mut Conn<'_>,
    policy: &VerificationPolicy,
    update: Update,
    codes: &dyn CodeIssuer,
) -> Result<Written, StoreError> {
    let Update { entity: id, app, now, decided_on, data, changed, unique: claims, verifications } = update;
    require_object(&data)?;
    let (current, held_unique) = load_for_write(conn, id).await?;
    // The decision was made on `decided_on`: anything else (a write that
    // committed in between, a deactivation) and the decision is stale.
    check_writable(&current, decided_on)?;
    // Every claim is checked before anything is written, pending ones
    // included, even if their code is then refused: the client learns now
    // that the value is taken rather than after the cooldown.
    unique::check(conn, Some(id), &claims, now).await?;
    for (field, old) in left_values(&current.data, &data) {
        verification::cancel_if_value(conn, id, field, old).await?;
    }

    let verified: BTreeSet<&str> = verifications.iter().map(|request| request.field.as_str()).collect();
    for claim in claims.iter().filter(|claim| !verified.contains(claim.field.as_str())) {
        unique::claim(conn, id, &claim.field, &claim.value, false).await?;
    }
    // Claims only add fields that `data` has, so the fields held before
    // are the ones that may have been cleared.
    unique::release_cleared(conn, id, &data, &held_unique).await?;

    let mut dispatched = Vec::with_capacity(verifications.len());
    for request in &verifications {
        let pending_value = claims.iter().find(|claim| claim.field == request.field).map(|claim| claim.value.as_str());
        dispatched.push(verification::dispatch(conn, policy, id, now, request, pending_value, codes).await?);
    }

    // Nothing else in this transaction changes the entity's row, so the
    // entity written is the current one with the new data and version.
    let entity = if data == current.data {
        current
    } else {
        let text = serde_json::to_string(&data)?;
        let version: i64 = conn
            .scalar(
                "UPDATE entities SET data = $1, version = version + 1, updated_at = $2 WHERE id = $3 RETURNING version",
                args![&text, now, id],
            )
            .await?;
        Entity { data, version, updated_at: now, ..current }
    };
    audit(conn, now, &app, id, "update", &changed, &dispatched).await?;
    Ok(Written { entity, verifications: dispatched })
}

/// Deactivates the entity (1004): its pending changes are cancelled in the
/// same transaction (so none can later write into it), its current values
/// and their unique rows stay. Idempotent.
pub(super) async fn deactivate(
    conn: &mut Conn<'_>,
    id: EntityId,
    app: &str,
    now: Timestamp,
    expected_version: Option<i64>,
) -> Result<Entity, StoreError> {
    let (current, _) = load_for_write(conn, id).await?;
    check_version(&current, expected_version)?;
    verification::cancel_all(conn, id).await?;
    if current.status == Status::Inactive {
        return Ok(current);
    }
    let version: i64 = conn
        .scalar(
            "UPDATE entities SET status = 'inactive', version = version + 1, updated_at = $1 WHERE id = $2
             RETURNING version",
            args![now, id],
        )
        .await?;
    audit(conn, now, app, id, "deactivate", &[], &[]).await?;
    Ok(Entity { status: Status::Inactive, version, updated_at: now, ..current })
}

/// Writes the verified `value` of `field` onto `entity` (the row read for
/// writing in this transaction), activates an unverified entity, and bumps
/// the version (a verify always changes the entity's state). Answers the
/// entity as committed.
pub(super) async fn apply_verified(
    conn: &mut Conn<'_>,
    entity: Entity,
    field: &str,
    value: Value,
    now: Timestamp,
) -> Result<Entity, StoreError> {
    let (data, status) = verified_state(&entity, field, value)?;
    let text = serde_json::to_string(&data)?;
    let version: i64 = conn
        .scalar(
            "UPDATE entities SET data = $1, status = $2, version = version + 1, updated_at = $3 WHERE id = $4
             RETURNING version",
            args![&text, status.as_str(), now, entity.id],
        )
        .await?;
    Ok(Entity { data, status, version, updated_at: now, ..entity })
}

/// One audit row: who (`app`) did what to which entity, and which members
/// changed and which verifications went out.
pub(super) async fn audit(
    conn: &mut Conn<'_>,
    at: Timestamp,
    app: &str,
    entity: EntityId,
    action: &str,
    fields: &[String],
    dispatched: &[FieldDispatch],
) -> Result<(), StoreError> {
    let fields = serde_json::to_string(fields)?;
    let pending = serde_json::to_string(&dispatched_pointers(dispatched))?;
    conn.execute(
        "INSERT INTO audit (at, app, entity_id, action, fields, pending) VALUES ($1, $2, $3, $4, $5, $6)",
        args![at, app, entity, action, &fields, &pending],
    )
    .await?;
    Ok(())
}

fn ext_key_taken(ext_type: &str, ext_key: &str) -> StoreError {
    StoreError::ExtKeyTaken { ext_type: ext_type.to_owned(), ext_key: ext_key.to_owned() }
}
