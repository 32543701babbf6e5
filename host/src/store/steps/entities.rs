//! The entity steps that are the same SQL on both backends: finding an
//! external key, deactivating, applying a verified value, the audit row.
//! Reading, creating and updating differ (SQLite reads an entity with its
//! keys in one statement; PostgreSQL locks the row first), so each backend
//! writes its own.

/// Expands, in a backend's `entities` module, to `find_ext_key`,
/// `deactivate`, `apply_verified` and `audit` over the backend's connection
/// type; `deactivate` reads the entity with `$load_for_write`, a function of
/// that module, and the module has a `load`.
macro_rules! entities_steps {
    ($Conn:ty, load_for_write = $load_for_write:ident) => {
        mod steps {
            use serde_json::Value;

            use super::$load_for_write;
            use crate::store::decisions::{check_version, dispatched_pointers, verified_state};
            use crate::store::error::StoreError;
            use crate::store::model::{Entity, EntityId, FieldDispatch, Status, Timestamp};

            /// The entity holding an external key, if any.
            pub(in crate::store) async fn find_ext_key(
                conn: &mut $Conn,
                ext_type: &str,
                ext_key: &str,
            ) -> Result<Option<EntityId>, StoreError> {
                Ok(sqlx::query_scalar("SELECT entity_id FROM external_keys WHERE ext_type = $1 AND ext_key = $2")
                    .bind(ext_type)
                    .bind(ext_key)
                    .fetch_optional(&mut *conn)
                    .await?)
            }

            /// Deactivates the entity (1004): its pending changes are cancelled, its
            /// current values and their unique rows stay.
            pub(in crate::store) async fn deactivate(
                conn: &mut $Conn,
                id: EntityId,
                app: &str,
                now: Timestamp,
                expected_version: Option<i64>,
            ) -> Result<Entity, StoreError> {
                let current = $load_for_write(conn, id).await?;
                check_version(&current, expected_version)?;
                // A pending change must not be able to reactivate or change an inactive
                // entity; its current values (and their unique rows) stay.
                super::super::verification::cancel_all(conn, id).await?;
                if current.status != Status::Inactive {
                    sqlx::query(
                        "UPDATE entities SET status = 'inactive', version = version + 1, updated_at = $1 WHERE id = $2",
                    )
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                    audit(conn, now, app, id, "deactivate", &[], &[]).await?;
                }
                super::load(conn, id).await
            }

            /// Writes the verified `value` of `field`, activates an unverified entity,
            /// and bumps the version (a verify always changes the entity's state).
            pub(in crate::store) async fn apply_verified(
                conn: &mut $Conn,
                entity: &Entity,
                field: &str,
                value: Value,
                now: Timestamp,
            ) -> Result<(), StoreError> {
                let (data, status) = verified_state(entity, field, value)?;
                sqlx::query(
                    "UPDATE entities SET data = $1, status = $2, version = version + 1, updated_at = $3 WHERE id = $4",
                )
                .bind(serde_json::to_string(&data)?)
                .bind(status.as_str())
                .bind(now)
                .bind(entity.id)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }

            /// One audit row: who (`app`) did what to which entity, and which members
            /// changed and which verifications went out.
            pub(in crate::store) async fn audit(
                conn: &mut $Conn,
                at: Timestamp,
                app: &str,
                entity: EntityId,
                action: &str,
                fields: &[String],
                dispatched: &[FieldDispatch],
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO audit (at, app, entity_id, action, fields, pending) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(at)
                .bind(app)
                .bind(entity)
                .bind(action)
                .bind(serde_json::to_string(fields)?)
                .bind(serde_json::to_string(&dispatched_pointers(dispatched))?)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }
        }
        pub(super) use steps::{apply_verified, audit, deactivate, find_ext_key};
    };
}

pub(in crate::store) use entities_steps;
