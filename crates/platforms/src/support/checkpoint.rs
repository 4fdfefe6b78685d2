//! Checkpoints (the JSON a network's client owns, see
//! [`crate::Publisher::publish`]) read and written the same way for every
//! network, and the publish in progress that saves them.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::PublishSink;
use crate::auth::TokenSource;
use crate::error::{ErrorKind, PlatformError};

/// A network's checkpoint: a versioned document of strings, numbers, dates
/// and maps with string keys (so writing it cannot fail).
pub(crate) trait Checkpoint: Default + Serialize + DeserializeOwned {
    /// The version this build writes; a checkpoint of a newer one is refused.
    const VERSION: u32;
    /// What is being published, as messages name it ("X post", "YouTube
    /// upload").
    const WHAT: &'static str;

    /// Its `version` field.
    fn version_mut(&mut self) -> &mut u32;
}

/// Reads a checkpoint. `null` or `{}` (a fresh start) gives an empty one of
/// the current version; one that cannot be read, or that a newer version of
/// CreatorFlow wrote, is refused as `bad_checkpoint`.
pub(crate) fn read<C: Checkpoint>(value: &Value) -> Result<C, PlatformError> {
    if value.is_null() || value.as_object().is_some_and(|o| o.is_empty()) {
        let mut fresh = C::default();
        *fresh.version_mut() = C::VERSION;
        return Ok(fresh);
    }
    let mut cp: C = serde_json::from_value(value.clone()).map_err(|e| {
        PlatformError::new(
            ErrorKind::Protocol,
            "bad_checkpoint",
            format!(
                "CreatorFlow could not read the saved progress of this {}.",
                C::WHAT
            ),
        )
        .with_detail(e.to_string())
    })?;
    let version = *cp.version_mut();
    if version > C::VERSION {
        return Err(PlatformError::new(
            ErrorKind::Protocol,
            "bad_checkpoint",
            format!(
                "This {} was started by a newer version of CreatorFlow.",
                C::WHAT
            ),
        )
        .with_detail(format!("checkpoint version {version}")));
    }
    Ok(cp)
}

/// A checkpoint as the JSON the engine stores.
pub(crate) fn write<C: Checkpoint>(cp: &C) -> Value {
    // See `Checkpoint`: serialization cannot fail.
    serde_json::to_value(cp).unwrap_or(Value::Null)
}

/// One publish in progress: the client, where tokens come from, the
/// checkpoint and where it is saved. Each network adds its steps in an
/// `impl Run<'_, ItsClient, ItsCheckpoint>` block.
pub(crate) struct Run<'a, C, K> {
    pub client: &'a C,
    pub tokens: &'a dyn TokenSource,
    pub cp: K,
    pub out: &'a mut Value,
    pub sink: &'a dyn PublishSink,
}

impl<C, K: Checkpoint> Run<'_, C, K> {
    /// Writes the checkpoint back and has the engine persist it; a failure
    /// is transient (the engine tries the publish again).
    pub async fn save(&mut self) -> Result<(), PlatformError> {
        *self.out = write(&self.cp);
        self.sink.checkpoint(self.out).await.map_err(|e| {
            PlatformError::new(
                ErrorKind::Network,
                "checkpoint_failed",
                format!(
                    "CreatorFlow could not save its progress on this {}. It will try again.",
                    K::WHAT
                ),
            )
            .with_detail(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Demo {
        #[serde(default)]
        version: u32,
        #[serde(default)]
        done: Vec<String>,
    }

    impl Checkpoint for Demo {
        const VERSION: u32 = 2;
        const WHAT: &'static str = "demo post";
        fn version_mut(&mut self) -> &mut u32 {
            &mut self.version
        }
    }

    #[test]
    fn null_and_empty_are_fresh_and_of_this_version() {
        for v in [Value::Null, json!({})] {
            let cp: Demo = read(&v).expect("fresh");
            assert_eq!(cp.version, 2);
            assert!(cp.done.is_empty());
        }
        let cp: Demo = read(&json!({"version": 1, "done": ["a"]})).expect("older");
        assert_eq!(write(&cp), json!({"version": 1, "done": ["a"]}));
    }

    #[test]
    fn refusals_name_what_is_published() {
        let e = read::<Demo>(&json!({"done": 5})).expect_err("garbage");
        assert_eq!(
            (e.kind, e.code.as_str()),
            (ErrorKind::Protocol, "bad_checkpoint")
        );
        assert_eq!(
            e.message,
            "CreatorFlow could not read the saved progress of this demo post."
        );
        let e = read::<Demo>(&json!({"version": 3})).expect_err("newer");
        assert_eq!(
            e.message,
            "This demo post was started by a newer version of CreatorFlow."
        );
        assert_eq!(e.detail.as_deref(), Some("checkpoint version 3"));
    }

    struct FailingSink;

    #[async_trait::async_trait]
    impl PublishSink for FailingSink {
        async fn checkpoint(&self, _checkpoint: &Value) -> Result<(), String> {
            Err("disk full".into())
        }
        fn progress(&self, _sent: u64, _total: u64) {}
    }

    #[tokio::test]
    async fn save_writes_back_and_a_failed_save_is_transient() {
        let token = crate::types::AccessToken::new("t");
        let mut out = Value::Null;
        let mut run = Run {
            client: &(),
            tokens: &token,
            cp: Demo {
                version: 2,
                done: vec!["a".into()],
            },
            out: &mut out,
            sink: &FailingSink,
        };
        let e = run.save().await.expect_err("sink failed");
        assert!(e.is_transient());
        assert_eq!(e.code, "checkpoint_failed");
        assert_eq!(
            e.message,
            "CreatorFlow could not save its progress on this demo post. It will try again."
        );
        assert_eq!(e.detail.as_deref(), Some("disk full"));
        assert_eq!(out, json!({"version": 2, "done": ["a"]}));
    }
}
