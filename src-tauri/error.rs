//! The one error shape the UI sees: `{ code, message }`, where `message` is a
//! sentence for a person. Technical detail goes to the log, never a secret.

use creatorflow_engine::{EngineError, ErrorCode};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<EngineError> for IpcError {
    fn from(e: EngineError) -> Self {
        let code = e.code();
        match code {
            ErrorCode::Storage
            | ErrorCode::DiskFull
            | ErrorCode::Internal
            | ErrorCode::Keychain => {
                tracing::error!(code = ?code, "command failed: {e}");
            }
            _ => tracing::info!(code = ?code, "command refused: {e}"),
        }
        Self {
            code,
            message: e.user_message(),
        }
    }
}

pub type CmdResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_reach_the_ui_as_code_and_message() {
        let err: IpcError = EngineError::NotFound { what: "post" }.into();
        assert_eq!(
            serde_json::to_value(&err).expect("json"),
            serde_json::json!({
                "code": "not_found",
                "message": "This post no longer exists. It may have been deleted."
            })
        );
        let io = std::io::Error::other("disk on fire /home/someone/secret");
        let err: IpcError = EngineError::Io(io).into();
        assert_eq!(err.code, ErrorCode::Storage);
        assert!(
            !err.message.contains("/home"),
            "technical detail leaked: {}",
            err.message
        );
    }
}
