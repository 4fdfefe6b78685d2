//! Where a video stands after its upload, from
//! `videos.list?part=status,processingDetails` (docs/platforms/youtube.md
//! §4.2–§4.4), and YouTube's reasons in words.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::error::{ErrorKind, PlatformError};
use crate::options::YoutubePrivacy;
use crate::types::Processing;

/// Earliest and latest next check while YouTube processes a video.
const MIN_WAIT: Duration = Duration::seconds(10);
const MAX_WAIT: Duration = Duration::minutes(15);
/// Next check when YouTube gives no estimate.
const DEFAULT_WAIT: Duration = Duration::seconds(60);

/// The `status` and `processingDetails` of a video resource.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct VideoState {
    pub status: StatusPart,
    pub processing_details: Option<ProcessingDetails>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct StatusPart {
    pub upload_status: Option<String>,
    pub failure_reason: Option<String>,
    pub rejection_reason: Option<String>,
    pub privacy_status: Option<String>,
    pub publish_at: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct ProcessingDetails {
    pub processing_status: Option<String>,
    pub processing_failure_reason: Option<String>,
    pub processing_progress: Option<ProcessingProgress>,
}

/// uint64 fields, which Google's JSON sends as strings (§4.3); numbers too.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct ProcessingProgress {
    pub parts_total: Option<Value>,
    pub parts_processed: Option<Value>,
    pub time_left_ms: Option<Value>,
}

fn uint(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

/// What a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Standing {
    /// Processed: live (or private / scheduled, as set). `private_note` when
    /// YouTube kept it private although the creator asked otherwise.
    Processed {
        private_note: Option<String>,
    },
    Processing(Processing),
}

/// The note for a video YouTube locked to private (§2.4).
pub(super) const LOCKED_PRIVATE_NOTE: &str = "YouTube kept this video private: it locks every \
    video uploaded through a Google Cloud project that has not passed YouTube's API audit to \
    private, whatever privacy you chose. Make the video public in YouTube Studio; to have \
    future uploads keep their privacy, ask Google to audit your project (the \"YouTube API \
    Services - Audit and Quota Extension\" form).";

impl VideoState {
    /// Reads where the video stands. `requested`: the privacy the creator chose.
    pub fn standing(
        &self,
        requested: YoutubePrivacy,
        now: DateTime<Utc>,
    ) -> Result<Standing, PlatformError> {
        let upload = self.status.upload_status.as_deref().unwrap_or("");
        let processing = self
            .processing_details
            .as_ref()
            .and_then(|p| p.processing_status.as_deref());
        match upload {
            "processed" => {
                let kept_private = self.status.privacy_status.as_deref() == Some("private")
                    && self.status.publish_at.is_none()
                    && requested != YoutubePrivacy::Private;
                Ok(Standing::Processed {
                    private_note: kept_private.then(|| LOCKED_PRIVATE_NOTE.to_owned()),
                })
            }
            "uploaded" | "" if matches!(processing, Some("terminated" | "failed")) => Err(self
                .refused(
                    "processing_stopped",
                    "YouTube stopped processing the video. Check it in YouTube Studio; post it \
                     again if it is not there."
                        .into(),
                )),
            "uploaded" => Ok(Standing::Processing(self.processing(now))),
            "failed" => {
                let reason = self.status.failure_reason.as_deref().unwrap_or("");
                Err(self.refused("video_failed", failure_words(reason)))
            }
            "rejected" => {
                let reason = self.status.rejection_reason.as_deref().unwrap_or("");
                Err(self.refused("video_rejected", rejection_words(reason)))
            }
            "deleted" => Err(self.refused(
                "video_deleted",
                "The video was deleted on YouTube before it was published.".into(),
            )),
            other => Err(PlatformError::new(
                ErrorKind::Protocol,
                "bad_response",
                "YouTube sent a video status CreatorFlow does not know.",
            )
            .with_detail(format!("uploadStatus={other:?}"))),
        }
    }

    fn processing(&self, now: DateTime<Utc>) -> Processing {
        let progress = self
            .processing_details
            .as_ref()
            .and_then(|p| p.processing_progress.as_ref());
        let percent = progress.and_then(|p| {
            let total = uint(p.parts_total.as_ref())?;
            let done = uint(p.parts_processed.as_ref())?;
            (total > 0).then(|| (done.min(total) * 100 / total) as u32)
        });
        let wait = progress
            .and_then(|p| uint(p.time_left_ms.as_ref()))
            .and_then(|ms| i64::try_from(ms).ok())
            .map(|ms| (Duration::milliseconds(ms) + Duration::seconds(2)).clamp(MIN_WAIT, MAX_WAIT))
            .unwrap_or(DEFAULT_WAIT);
        let stage = match percent {
            Some(p) => format!("YouTube is processing the video ({p} %)"),
            None => "YouTube is processing the video".to_owned(),
        };
        Processing {
            check_at: now + wait,
            stage,
        }
    }

    /// A final refusal: YouTube's reason in words, the raw one as the detail.
    fn refused(&self, code: &str, message: String) -> PlatformError {
        let mut raw = vec![format!(
            "uploadStatus={}",
            self.status.upload_status.as_deref().unwrap_or("?")
        )];
        if let Some(r) = &self.status.failure_reason {
            raw.push(format!("failureReason={r}"));
        }
        if let Some(r) = &self.status.rejection_reason {
            raw.push(format!("rejectionReason={r}"));
        }
        if let Some(p) = &self.processing_details {
            if let Some(s) = &p.processing_status {
                raw.push(format!("processingStatus={s}"));
            }
            if let Some(r) = &p.processing_failure_reason {
                raw.push(format!("processingFailureReason={r}"));
            }
        }
        PlatformError::new(ErrorKind::Rejected, code, message).with_detail(raw.join(" "))
    }
}

/// `status.failureReason` (§4.2) in words, with what to do.
pub fn failure_words(reason: &str) -> String {
    let why = match reason {
        "codec" => {
            "the video uses a codec YouTube does not support. Export it as MP4 with H.264 \
             video and AAC audio, then post it again."
        }
        "conversion" => {
            "YouTube could not convert the video. Export it again (MP4 with H.264 and AAC works \
             best), then post it again."
        }
        "emptyFile" => {
            "the file YouTube received was empty. Check that the video plays, then post it again."
        }
        "invalidFile" => {
            "YouTube could not read the file as a video (it may be damaged). Export it again, \
             then post it again."
        }
        "tooSmall" => "the file is too small to be a video. Check the file, then post it again.",
        "uploadAborted" => "the upload was cut off before it finished. Post it again.",
        _ => {
            return format!(
                "YouTube could not process the video ({}). Post it again, or check it in \
                 YouTube Studio.",
                if reason.is_empty() {
                    "no reason given"
                } else {
                    reason
                }
            );
        }
    };
    format!("YouTube could not process the video: {why}")
}

/// `status.rejectionReason` (§4.2) in words.
pub fn rejection_words(reason: &str) -> String {
    let why = match reason {
        "claim" => "of a copyright claim on its content",
        "copyright" => "it infringes someone's copyright",
        "duplicate" => "it duplicates a video already on the channel",
        "inappropriate" => "YouTube found its content inappropriate (Community Guidelines)",
        "legal" => "of a legal complaint",
        "length" => {
            "it is longer than this channel may upload (unverified channels: 15 minutes; \
             verify the channel at youtube.com/verify)"
        }
        "termsOfUse" => "it breaks YouTube's Terms of Service",
        "trademark" => "it infringes a trademark",
        "uploaderAccountClosed" => "the channel's Google account is closed",
        "uploaderAccountSuspended" => "the channel's Google account is suspended",
        _ => {
            return format!(
                "YouTube rejected the video ({}).",
                if reason.is_empty() {
                    "no reason given"
                } else {
                    reason
                }
            );
        }
    };
    format!("YouTube rejected the video because {why}.")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(v: Value) -> VideoState {
        serde_json::from_value(v).expect("state")
    }

    #[test]
    fn processing_with_progress_and_time_left() {
        let now = Utc::now();
        let s = state(json!({
            "status": {"uploadStatus": "uploaded", "privacyStatus": "private"},
            "processingDetails": {"processingStatus": "processing",
                "processingProgress": {"partsTotal": "1000", "partsProcessed": "400", "timeLeftMs": "30000"}}
        }));
        let Ok(Standing::Processing(p)) = s.standing(YoutubePrivacy::Public, now) else {
            panic!("processing");
        };
        assert_eq!(p.stage, "YouTube is processing the video (40 %)");
        assert_eq!(p.check_at, now + Duration::seconds(32));
        // Numbers are read too; a huge estimate is capped, none gives a minute.
        let s = state(json!({"status": {"uploadStatus": "uploaded"},
            "processingDetails": {"processingProgress": {"partsTotal": 10, "partsProcessed": 1, "timeLeftMs": 99999999}}}));
        let Ok(Standing::Processing(p)) = s.standing(YoutubePrivacy::Public, now) else {
            panic!("processing");
        };
        assert_eq!(p.stage, "YouTube is processing the video (10 %)");
        assert_eq!(p.check_at, now + MAX_WAIT);
        let s = state(json!({"status": {"uploadStatus": "uploaded"}}));
        let Ok(Standing::Processing(p)) = s.standing(YoutubePrivacy::Public, now) else {
            panic!("processing");
        };
        assert_eq!(p.stage, "YouTube is processing the video");
        assert_eq!(p.check_at, now + DEFAULT_WAIT);
    }

    #[test]
    fn processed_and_the_private_lock() {
        let now = Utc::now();
        let private =
            state(json!({"status": {"uploadStatus": "processed", "privacyStatus": "private"}}));
        assert_eq!(
            private.standing(YoutubePrivacy::Unlisted, now).expect("ok"),
            Standing::Processed {
                private_note: Some(LOCKED_PRIVATE_NOTE.to_owned())
            }
        );
        assert_eq!(
            private.standing(YoutubePrivacy::Private, now).expect("ok"),
            Standing::Processed { private_note: None }
        );
        let public =
            state(json!({"status": {"uploadStatus": "processed", "privacyStatus": "public"}}));
        assert_eq!(
            public.standing(YoutubePrivacy::Public, now).expect("ok"),
            Standing::Processed { private_note: None }
        );
    }

    #[test]
    fn refusals_keep_the_raw_reason() {
        let now = Utc::now();
        let e = state(json!({"status": {"uploadStatus": "failed", "failureReason": "codec"},
            "processingDetails": {"processingStatus": "failed", "processingFailureReason": "transcodeFailed"}}))
        .standing(YoutubePrivacy::Public, now)
        .expect_err("failed");
        assert_eq!(e.kind, ErrorKind::Rejected);
        assert_eq!(e.code, "video_failed");
        assert!(
            e.message.contains("codec YouTube does not support"),
            "{}",
            e.message
        );
        assert_eq!(
            e.detail.as_deref(),
            Some(
                "uploadStatus=failed failureReason=codec processingStatus=failed processingFailureReason=transcodeFailed"
            )
        );
        let e =
            state(json!({"status": {"uploadStatus": "rejected", "rejectionReason": "duplicate"}}))
                .standing(YoutubePrivacy::Public, now)
                .expect_err("rejected");
        assert_eq!(e.code, "video_rejected");
        assert_eq!(
            e.message,
            "YouTube rejected the video because it duplicates a video already on the channel."
        );
        let e = state(json!({"status": {"uploadStatus": "uploaded"}, "processingDetails": {"processingStatus": "terminated"}}))
            .standing(YoutubePrivacy::Public, now)
            .expect_err("terminated");
        assert_eq!(e.code, "processing_stopped");
        let e = state(json!({"status": {"uploadStatus": "deleted"}}))
            .standing(YoutubePrivacy::Public, now)
            .expect_err("deleted");
        assert_eq!(e.code, "video_deleted");
    }

    #[test]
    fn every_documented_reason_has_words() {
        for r in [
            "codec",
            "conversion",
            "emptyFile",
            "invalidFile",
            "tooSmall",
            "uploadAborted",
        ] {
            assert!(!failure_words(r).contains(&format!("({r})")), "{r}");
        }
        for r in [
            "claim",
            "copyright",
            "duplicate",
            "inappropriate",
            "legal",
            "length",
            "termsOfUse",
            "trademark",
            "uploaderAccountClosed",
            "uploaderAccountSuspended",
        ] {
            assert!(!rejection_words(r).contains(&format!("({r})")), "{r}");
        }
        assert!(rejection_words("newReason").contains("(newReason)"));
        assert!(failure_words("newReason").contains("(newReason)"));
    }
}
