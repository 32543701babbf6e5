//! Entities: reads, and the create / update / deactivate transactions that
//! tie data, unique values, verifications and the audit row together. The
//! same steps as SQLite's; a write locks its entity's row before it reads.

use std::collections::BTreeSet;

use sqlx::PgConnection;

use super::{unique, verification};
use crate::store::codes::CodeIssuer;
use crate::store::decisions::{check_version, require_object, top_level_pointers};
use crate::store::error::StoreError;
use crate::store::model::{Entity, EntityId, NewEntity, Update, VerificationPolicy, Written};
use crate::store::rows::EntityRow;

crate::store::steps::entities_steps!(sqlx::PgConnection, load_for_write = lock);

/// The entity with its external keys. Errors: `NotFound`.
pub(super) async fn load(conn: &mut PgConnection, id: EntityId) -> Result<Entity, StoreError> {
    let row: EntityRow =
        sqlx::query_as("SELECT status, data, version, created_at, updated_at FROM entities WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(StoreError::NotFound)?;
    let ext_keys: Vec<(String, String)> =
        sqlx::query_as("SELECT ext_type, ext_key FROM external_keys WHERE entity_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    row.into_entity(id, ext_keys.into_iter().collect())
}

/// Locks the entity's row until the transaction ends, then reads it: every
/// host's writes of this entity queue here. Errors: `NotFound`.
pub(super) async fn lock(conn: &mut PgConnection, id: EntityId) -> Result<Entity, StoreError> {
    let locked: Option<EntityId> = sqlx::query_scalar("SELECT id FROM entities WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    locked.ok_or(StoreError::NotFound)?;
    load(conn, id).await
}

pub(super) async fn create(
    conn: &mut PgConnection,
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

    let id: EntityId = sqlx::query_scalar(
        "INSERT INTO entities (status, data, version, created_at, updated_at) VALUES ($1, $2, 1, $3, $3)
         RETURNING id",
    )
    .bind(new.status.as_str())
    .bind(serde_json::to_string(&new.data)?)
    .bind(new.now)
    .fetch_one(&mut *conn)
    .await?;
    for (ext_type, ext_key) in &new.ext_keys {
        // Checked above, but another host may have taken it since: the
        // primary key decides, and a lost race answers like the check.
        let inserted = sqlx::query(
            "INSERT INTO external_keys (ext_type, ext_key, entity_id) VALUES ($1, $2, $3)
             ON CONFLICT (ext_type, ext_key) DO NOTHING",
        )
        .bind(ext_type)
        .bind(ext_key)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
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
    Ok(Written { entity: load(conn, id).await?, verifications: dispatched })
}

pub(super) async fn update(
    conn: &mut PgConnection,
    policy: &VerificationPolicy,
    update: Update,
    codes: &dyn CodeIssuer,
) -> Result<Written, StoreError> {
    let Update { entity: id, app, now, expected_version, data, changed, unique: claims, verifications } = update;
    require_object(&data)?;
    let current = lock(conn, id).await?;
    check_version(&current, expected_version)?;
    // Every claim is checked before anything is written, pending ones
    // included, even if their code is then refused: the client learns now
    // that the value is taken rather than after the cooldown.
    unique::check(conn, Some(id), &claims, now).await?;

    let verified: BTreeSet<&str> = verifications.iter().map(|request| request.field.as_str()).collect();
    for claim in claims.iter().filter(|claim| !verified.contains(claim.field.as_str())) {
        unique::claim(conn, id, &claim.field, &claim.value, false).await?;
    }
    unique::release_cleared(conn, id, &data).await?;

    let mut dispatched = Vec::with_capacity(verifications.len());
    for request in &verifications {
        let pending_value = claims.iter().find(|claim| claim.field == request.field).map(|claim| claim.value.as_str());
        dispatched.push(verification::dispatch(conn, policy, id, now, request, pending_value, codes).await?);
    }

    if data != current.data {
        sqlx::query("UPDATE entities SET data = $1, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(serde_json::to_string(&data)?)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    audit(conn, now, &app, id, "update", &changed, &dispatched).await?;
    Ok(Written { entity: load(conn, id).await?, verifications: dispatched })
}

fn ext_key_taken(ext_type: &str, ext_key: &str) -> StoreError {
    StoreError::ExtKeyTaken { ext_type: ext_type.to_owned(), ext_key: ext_key.to_owned() }
}
