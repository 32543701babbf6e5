//! Entities: reads, and the create / update / deactivate transactions that
//! tie data, unique values, verifications and the audit row together.

use std::collections::BTreeSet;

use sqlx::SqliteConnection;

use super::{unique, verification};
use crate::store::codes::CodeIssuer;
use crate::store::decisions::{check_version, require_object, top_level_pointers};
use crate::store::error::StoreError;
use crate::store::model::{Entity, EntityId, NewEntity, Update, VerificationPolicy, Written};
use crate::store::rows::EntityRow;

crate::store::steps::entities_steps!(sqlx::SqliteConnection, load_for_write = load);

/// The entity with its external keys (one statement: every statement is a
/// round trip to the connection's thread, and writes run one at a time).
/// Errors: `NotFound`.
pub(super) async fn load(conn: &mut SqliteConnection, id: EntityId) -> Result<Entity, StoreError> {
    let row: LoadRow = sqlx::query_as(
        "SELECT status, data, version, created_at, updated_at,
                (SELECT json_group_object(ext_type, ext_key) FROM external_keys WHERE entity_id = e.id) AS ext_keys,
                '[]' AS unique_fields
         FROM entities e WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    row.entity.into_entity(id, serde_json::from_str(&row.ext_keys)?)
}

/// [`load`], plus the fields the entity holds current unique values of.
async fn load_for_update(conn: &mut SqliteConnection, id: EntityId) -> Result<(Entity, Vec<String>), StoreError> {
    let row: LoadRow = sqlx::query_as(
        "SELECT status, data, version, created_at, updated_at,
                (SELECT json_group_object(ext_type, ext_key) FROM external_keys WHERE entity_id = e.id) AS ext_keys,
                (SELECT json_group_array(DISTINCT field) FROM unique_values
                 WHERE entity_id = e.id AND pending = 0) AS unique_fields
         FROM entities e WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::NotFound)?;
    let entity = row.entity.into_entity(id, serde_json::from_str(&row.ext_keys)?)?;
    Ok((entity, serde_json::from_str(&row.unique_fields)?))
}

/// An entity row, its external keys as a JSON object, and the fields it
/// holds current unique values of as a JSON array.
#[derive(Debug, sqlx::FromRow)]
struct LoadRow {
    #[sqlx(flatten)]
    entity: EntityRow,
    ext_keys: String,
    unique_fields: String,
}

pub(super) async fn create(
    conn: &mut SqliteConnection,
    policy: &VerificationPolicy,
    new: NewEntity,
    codes: &dyn CodeIssuer,
) -> Result<Written, StoreError> {
    let fields = top_level_pointers(&new.data)?;
    unique::check(conn, None, &new.unique, new.now).await?;
    for (ext_type, ext_key) in &new.ext_keys {
        if find_ext_key(conn, ext_type, ext_key).await?.is_some() {
            return Err(StoreError::ExtKeyTaken { ext_type: ext_type.clone(), ext_key: ext_key.clone() });
        }
    }

    let id: EntityId = sqlx::query_scalar(
        "INSERT INTO entities (status, data, version, created_at, updated_at) VALUES (?, ?, 1, ?, ?) RETURNING id",
    )
    .bind(new.status.as_str())
    .bind(serde_json::to_string(&new.data)?)
    .bind(new.now)
    .bind(new.now)
    .fetch_one(&mut *conn)
    .await?;
    for (ext_type, ext_key) in &new.ext_keys {
        sqlx::query("INSERT INTO external_keys (ext_type, ext_key, entity_id) VALUES (?, ?, ?)")
            .bind(ext_type)
            .bind(ext_key)
            .bind(id)
            .execute(&mut *conn)
            .await?;
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
    Ok(Written { entity: load(conn, id).await?, verifications: dispatched })
}

pub(super) async fn update(
    conn: &mut SqliteConnection,
    policy: &VerificationPolicy,
    update: Update,
    codes: &dyn CodeIssuer,
) -> Result<Written, StoreError> {
    let Update { entity: id, app, now, expected_version, data, changed, unique: claims, verifications } = update;
    require_object(&data)?;
    let (current, held_unique) = load_for_update(conn, id).await?;
    check_version(&current, expected_version)?;
    // Every claim is checked before anything is written, pending ones
    // included, even if their code is then refused: the client learns now
    // that the value is taken rather than after the cooldown.
    unique::check(conn, Some(id), &claims, now).await?;

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
        let version: i64 = sqlx::query_scalar(
            "UPDATE entities SET data = ?, version = version + 1, updated_at = ? WHERE id = ? RETURNING version",
        )
        .bind(serde_json::to_string(&data)?)
        .bind(now)
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        Entity { data, version, updated_at: now, ..current }
    };
    audit(conn, now, &app, id, "update", &changed, &dispatched).await?;
    Ok(Written { entity, verifications: dispatched })
}
