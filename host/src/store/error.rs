//! What a store operation can fail with. Conflicts the client caused are
//! their own variants, so the HTTP layer maps them to a 4xx; everything else
//! is `Database`, a 5xx whose text is logged, never sent.

use super::model::{EntityId, Status};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No entity with that dp-keyid or external key (404.1 / 404.2).
    #[error("the entity was not found")]
    NotFound,
    /// The entity is no longer at the version the write was decided on (or
    /// that `If-Match` named); nothing was changed.
    #[error("the entity is at version {current}, not the expected one")]
    VersionMismatch { current: i64 },
    /// The entity is deactivated (409.3); nothing was changed.
    #[error("the entity is deactivated")]
    Inactive,
    /// A unique value is held, currently or as a pending change, by another
    /// entity; nothing was changed. The holder's status chooses between
    /// 400.4 (active or unverified) and 400.5 (inactive) for mobiles.
    #[error("the value of `{field}` is held by entity {holder_id} ({holder_status})")]
    UniqueTaken { field: String, holder_id: EntityId, holder_status: Status },
    /// An external key already belongs to another entity; nothing was changed.
    #[error("the external key `{ext_key}` of type `{ext_type}` is taken")]
    ExtKeyTaken { ext_type: String, ext_key: String },
    /// The request itself is unusable (e.g. data that is not an object): a
    /// bug in the caller, since the engine only hands over valid documents.
    #[error("invalid store request: {0}")]
    Invalid(String),
    /// The caller's code issuer failed (e.g. the CSPRNG); nothing was changed.
    #[error("a verification code could not be issued: {0}")]
    CodeIssue(String),
    #[error("database error: {0}")]
    Database(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        Self::Database(format!("migration failed: {error}"))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        Self::Database(format!("stored JSON is unreadable: {error}"))
    }
}
