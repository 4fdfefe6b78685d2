//! The engine's error type. Every variant has a stable `code` for the UI and a
//! message written for a person; technical detail stays in `Display` of the
//! source and in the logs.

use serde::Serialize;

/// Stable, machine-readable error codes shared with the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    EmptyText,
    TextTooLong,
    TimeInPast,
    MissingTime,
    InvalidZone,
    NoTargets,
    NotFound,
    Conflict,
    InvalidInput,
    NewerDatabase,
    Storage,
    DiskFull,
    Keychain,
    Platform,
    OAuth,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{message}")]
    Invalid { code: ErrorCode, message: String },

    #[error("{what} not found")]
    NotFound { what: &'static str },

    #[error("{0}")]
    Conflict(String),

    #[error(
        "this database was written by a newer version of CreatorFlow (schema {found}, this version knows up to {supported})"
    )]
    NewerDatabase { found: i64, supported: i64 },

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    #[error("file error: {0}")]
    Io(#[from] std::io::Error),

    #[error("keychain error: {0}")]
    Keychain(String),

    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl EngineError {
    pub fn invalid(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid { code, .. } => *code,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::NewerDatabase { .. } => ErrorCode::NewerDatabase,
            Self::Database(e) if is_disk_full(e) => ErrorCode::DiskFull,
            Self::Io(e) if e.kind() == std::io::ErrorKind::StorageFull => ErrorCode::DiskFull,
            Self::Database(_) | Self::Migration(_) | Self::Io(_) => ErrorCode::Storage,
            Self::Keychain(_) => ErrorCode::Keychain,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }

    /// A sentence a creator understands. Never contains secrets.
    pub fn user_message(&self) -> String {
        match self {
            Self::Invalid { message, .. } => message.clone(),
            Self::NotFound { what } => {
                format!("This {what} no longer exists. It may have been deleted.")
            }
            Self::Conflict(message) => message.clone(),
            Self::NewerDatabase { .. } => "Your data was saved by a newer version of CreatorFlow. \
                 Install the latest version to open it; nothing was changed."
                .to_owned(),
            _ if self.code() == ErrorCode::DiskFull => {
                "The disk is full, so nothing was saved. Free some space and try again.".to_owned()
            }
            Self::Database(_) | Self::Migration(_) | Self::Io(_) => {
                "CreatorFlow could not read or write its data. Nothing was changed; try again."
                    .to_owned()
            }
            Self::Keychain(_) => "CreatorFlow could not reach the system keychain. \
                 Make sure it is unlocked and try again."
                .to_owned(),
            Self::Internal(_) => "Something went wrong inside CreatorFlow. Try again.".to_owned(),
        }
    }
}

fn is_disk_full(e: &sqlx::Error) -> bool {
    match e {
        // SQLITE_FULL (13) and its extended codes.
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c == "13" || c.ends_with("13")),
        sqlx::Error::Io(io) => io.kind() == std::io::ErrorKind::StorageFull,
        _ => false,
    }
}
