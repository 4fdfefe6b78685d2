//! The creator's public media host: an S3-compatible bucket (AWS S3,
//! Cloudflare R2, Backblaze B2, MinIO ...) where CreatorFlow puts a post's
//! files for networks that fetch media from a public URL themselves
//! (Instagram). The settings live in SQLite (`media_host`), the secret access
//! key only in the OS keychain.
//!
//! Every object is recorded with the target it is for (`hosted_media`):
//! asking again for the same target and file re-uses it (with a fresh
//! presigned URL when the old one is close to expiry), and once the target no
//! longer needs it (published, failed for good, deleted, cancelled, back to a
//! draft, or the post gone) the sweeper deletes it. A deletion that fails is
//! tried again later, with backoff.

mod s3;

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use creatorflow_platforms::{ErrorKind, HostedMedia, MediaFile, PlatformError};
use serde::{Deserialize, Serialize};
use specta::Type;
use sqlx::Row;
use url::Url;

use crate::error::{EngineError, ErrorCode, Result};
use crate::model::TargetId;
use crate::time::{from_millis, to_millis};
use crate::{ChangeSource, Engine, Entity};
use s3::{S3Error, S3Host};

pub use s3::MAX_SINGLE_PUT_BYTES;

/// A presigned download URL works this long unless the creator says otherwise.
pub const DEFAULT_URL_VALIDITY_MINUTES: u32 = 60;
pub const MIN_URL_VALIDITY_MINUTES: u32 = 5;
/// S3's longest presigned URL: 7 days.
pub const MAX_URL_VALIDITY_MINUTES: u32 = 7 * 24 * 60;
/// Every object CreatorFlow puts on the host lives under this folder.
pub const KEY_PREFIX: &str = "creatorflow/";
/// Where the creator fixes the host, for messages.
pub const SETTING: &str = "Settings → Media hosting";

/// The statuses in which a target may still publish with its hosted files;
/// in any other (or when it is gone) its objects are deleted.
const ACTIVE_STATUSES: &str =
    "'scheduled', 'publishing', 'processing', 'retrying', 'needs_reauth', 'unconfirmed', 'missed'";
/// The sweeper looks at least this often for deletions to retry.
const SWEEP_EVERY: StdDuration = StdDuration::from_secs(10 * 60);
/// ... and waits at least this long between two sweeps.
const SWEEP_PAUSE: StdDuration = StdDuration::from_secs(5);

/// The media host's settings (everything but the secret access key, which
/// only the keychain keeps).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaHostConfig {
    /// The storage service's S3 address, without the bucket, e.g.
    /// `https://<account id>.r2.cloudflarestorage.com`.
    pub endpoint: String,
    /// `auto` for R2; the bucket's region for AWS (`eu-west-1`).
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
    /// Path-style addressing (`<endpoint>/<bucket>/<key>`, MinIO, R2)
    /// instead of virtual-host (`<bucket>.<endpoint host>/<key>`, AWS).
    pub path_style: bool,
    /// Where the bucket is public: networks fetch `<base>/<key>`. `None`:
    /// presigned download URLs (the default).
    pub public_base_url: Option<String>,
    /// How long a presigned download URL works.
    pub url_validity_minutes: u32,
}

impl MediaHostConfig {
    /// The settings as saved: trimmed, trailing slashes gone, checked; a
    /// problem is said in words.
    pub fn checked(self) -> Result<Self> {
        let invalid = |m: String| EngineError::invalid(ErrorCode::InvalidInput, m);
        let bucket = self.bucket.trim().to_owned();
        let endpoint = check_endpoint(self.endpoint.trim(), &bucket).map_err(invalid)?;
        let region = self.region.trim().to_owned();
        if region.is_empty() {
            return Err(invalid(
                "Enter the region: auto for Cloudflare R2, the bucket's region for AWS (such as eu-west-1), us-east-1 for MinIO."
                    .into(),
            ));
        }
        if !region
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            || region.len() > 64
        {
            return Err(invalid(
                "The region is a short name such as eu-west-1 or auto.".into(),
            ));
        }
        check_bucket(&bucket, self.path_style, endpoint.starts_with("https:")).map_err(invalid)?;
        let access_key_id = self.access_key_id.trim().to_owned();
        if access_key_id.is_empty() {
            return Err(invalid("Enter the access key ID.".into()));
        }
        if access_key_id.chars().any(char::is_whitespace) || access_key_id.len() > 256 {
            return Err(invalid(
                "The access key ID has no spaces in it: copy it again from your storage service."
                    .into(),
            ));
        }
        let public_base_url = match self.public_base_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(base) => Some(check_public_base(base).map_err(invalid)?),
        };
        if !(MIN_URL_VALIDITY_MINUTES..=MAX_URL_VALIDITY_MINUTES)
            .contains(&self.url_validity_minutes)
        {
            return Err(invalid(format!(
                "Presigned links can work from {MIN_URL_VALIDITY_MINUTES} minutes to 7 days ({MAX_URL_VALIDITY_MINUTES} minutes)."
            )));
        }
        Ok(Self {
            endpoint,
            region,
            bucket,
            access_key_id,
            path_style: self.path_style,
            public_base_url,
            url_validity_minutes: self.url_validity_minutes,
        })
    }

    /// Which host objects are on: the endpoint and the bucket.
    fn fingerprint(&self) -> String {
        format!("{} {}", self.endpoint.to_lowercase(), self.bucket)
    }

    fn url_validity(&self) -> Duration {
        Duration::minutes(i64::from(self.url_validity_minutes))
    }

    /// A URL this close to its expiry is not handed out again.
    fn reuse_margin(&self) -> Duration {
        (self.url_validity() / 4).min(Duration::minutes(15))
    }
}

fn check_endpoint(raw: &str, bucket: &str) -> std::result::Result<String, String> {
    if raw.is_empty() {
        return Err("Enter the endpoint: your storage service's S3 address, such as https://<account id>.r2.cloudflarestorage.com or https://s3.eu-west-1.amazonaws.com.".into());
    }
    let shape = "The endpoint is a web address such as https://s3.eu-west-1.amazonaws.com.";
    let url = Url::parse(raw).map_err(|_| shape.to_owned())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(shape.into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(
            "The endpoint is only the service's address, without a ?, # or a user name.".into(),
        );
    }
    let path = url.path().trim_matches('/');
    if !path.is_empty() {
        return Err(if !bucket.is_empty() && path == bucket {
            "Leave the bucket name out of the endpoint: it goes in the Bucket field.".into()
        } else {
            "The endpoint is only the service's address (https://host), without a folder.".into()
        });
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

fn check_bucket(bucket: &str, path_style: bool, https: bool) -> std::result::Result<(), String> {
    if bucket.is_empty() {
        return Err("Enter the bucket's name.".into());
    }
    if !(3..=63).contains(&bucket.len())
        || !bucket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        || !bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !bucket.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        return Err("A bucket name is 3 to 63 letters, digits, dots and hyphens, starting and ending with a letter or digit.".into());
    }
    if !path_style {
        if bucket.chars().any(|c| c.is_ascii_uppercase() || c == '_') {
            return Err(
                "This bucket name cannot be part of a web address: choose path-style addressing."
                    .into(),
            );
        }
        if https && bucket.contains('.') {
            return Err("A bucket name with dots does not work with virtual-host addressing over https: choose path-style addressing.".into());
        }
    }
    Ok(())
}

fn check_public_base(raw: &str) -> std::result::Result<String, String> {
    let shape = "The public base URL is a web address such as https://media.example.com or https://pub-1234.r2.dev.";
    let url = Url::parse(raw).map_err(|_| shape.to_owned())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(shape.into());
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err("The public base URL is an address without a ?, # or a user name: files are fetched as <base>/<name>.".into());
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// The secret access key as saved: trimmed; `None` when left empty.
fn checked_secret(secret: Option<&str>) -> Result<Option<String>> {
    match secret.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().any(char::is_whitespace) || s.len() > 512 => {
            Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                "The secret access key has no spaces in it: copy it again from your storage service.",
            ))
        }
        Some(s) => Ok(Some(s.to_owned())),
    }
}

/// A new object's name: unguessable, under [`KEY_PREFIX`], with the file's
/// extension (networks and browsers like to see one).
pub fn object_key(file: &MediaFile) -> String {
    format!(
        "{KEY_PREFIX}{}.{}",
        crate::auth::random_token(32),
        extension(file)
    )
}

fn extension(file: &MediaFile) -> String {
    let known = match file.mime.as_str() {
        "image/jpeg" => Some("jpg"),
        "image/png" => Some("png"),
        "image/gif" => Some("gif"),
        "image/webp" => Some("webp"),
        "video/mp4" => Some("mp4"),
        "video/quicktime" => Some("mov"),
        "application/pdf" => Some("pdf"),
        _ => None,
    };
    if let Some(ext) = known {
        return ext.to_owned();
    }
    file.path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .filter(|e| !e.is_empty() && e.len() <= 8 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".to_owned())
}

/// An object's address under a public base URL.
pub fn public_url(base: &str, key: &str) -> String {
    format!("{}/{key}", base.trim_end_matches('/'))
}

/// What the Settings view shows about the media host.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaHostStatus {
    /// `None` when no media host is set up.
    pub config: Option<MediaHostConfig>,
    /// A secret access key is saved in the keychain (it never leaves it).
    pub secret_saved: bool,
    /// Files CreatorFlow has on the host now (for posts still going out, or
    /// about to be deleted).
    pub hosted_files: u32,
    /// Of those, files whose deletion failed and is tried again later.
    pub deletions_pending: u32,
    /// What the last change did that the creator should know (files left
    /// on the previous host).
    pub notice: Option<String>,
}

/// One step of the connection test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub enum MediaHostStep {
    /// Put a small file in the bucket.
    Upload,
    /// Fetch it through the URL a network would get.
    Fetch,
    /// Delete it again.
    Delete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaHostStepResult {
    pub step: MediaHostStep,
    pub passed: bool,
    /// What happened, in words.
    pub message: String,
}

/// The connection test's answer: each step tried, and which failed.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MediaHostTest {
    pub passed: bool,
    pub steps: Vec<MediaHostStepResult>,
    /// Something that does not fail the test but matters (a private address
    /// the networks' servers cannot reach).
    pub warning: Option<String>,
}

/// What one sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sweep {
    pub deleted: u32,
    pub failed: u32,
}

/// What a request was for, to explain its failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Doing {
    Upload,
    Check,
    Fetch { public: bool },
    Delete,
}

/// A failure in words, with how publishing treats it.
#[derive(Debug, Clone, PartialEq)]
struct Explained {
    kind: ErrorKind,
    code: &'static str,
    message: String,
    detail: Option<String>,
}

impl Explained {
    fn into_platform_error(self) -> PlatformError {
        let fix = if self.kind == ErrorKind::Rejected {
            format!(" Fix it in {SETTING}, then publish the post again.")
        } else {
            String::new()
        };
        let e = PlatformError::new(self.kind, self.code, format!("{}{fix}", self.message));
        match self.detail {
            Some(d) => e.with_detail(d),
            None => e,
        }
    }
}

fn explain(e: &S3Error, config: &MediaHostConfig, doing: Doing) -> Explained {
    let endpoint = &config.endpoint;
    let bucket = &config.bucket;
    let what = match doing {
        Doing::Upload => "the upload",
        Doing::Check => "the check of an uploaded file",
        Doing::Fetch { .. } => "the download",
        Doing::Delete => "the deletion",
    };
    let (status, code, s3_message, region) = match e {
        S3Error::Connect { cause } => {
            return match doing {
                Doing::Fetch { public: true } => Explained {
                    kind: ErrorKind::Network,
                    code: "media_host_public_unreachable",
                    message: format!(
                        "CreatorFlow could not reach your public base URL ({}): {cause}. Check the public base URL.",
                        config.public_base_url.as_deref().unwrap_or_default()
                    ),
                    detail: None,
                },
                _ => Explained {
                    kind: ErrorKind::Network,
                    code: "media_host_unreachable",
                    message: format!(
                        "CreatorFlow could not connect to your media host at {endpoint}: {cause}. Check the endpoint URL and your internet connection."
                    ),
                    detail: None,
                },
            };
        }
        S3Error::Timeout => {
            return Explained {
                kind: ErrorKind::Timeout,
                code: "media_host_timeout",
                message: format!("Your media host at {endpoint} did not answer in time."),
                detail: None,
            };
        }
        S3Error::File(reason) => {
            return Explained {
                kind: ErrorKind::Rejected,
                code: "media_file_unreadable",
                message: "CreatorFlow could not read the file to put it on your media host. Attach it to the post again.".into(),
                detail: Some(reason.clone()),
            };
        }
        S3Error::Status {
            status,
            code,
            message,
            region,
        } => (
            *status,
            code.as_deref(),
            message.as_deref(),
            region.as_deref(),
        ),
    };
    let detail = Some(match (code, s3_message) {
        (Some(c), Some(m)) => format!("HTTP {status} {c}: {m}"),
        (Some(c), None) => format!("HTTP {status} {c}"),
        (None, Some(m)) => format!("HTTP {status}: {m}"),
        (None, None) => format!("HTTP {status}"),
    });
    let rejected = |code: &'static str, message: String| Explained {
        kind: ErrorKind::Rejected,
        code,
        message,
        detail: detail.clone(),
    };
    if let Doing::Fetch { public: true } = doing
        && (400..500).contains(&status)
    {
        return rejected(
            "media_host_public_unreadable",
            format!(
                "Your public base URL did not serve the file (HTTP {status}). Check that {} is this bucket's public address and that the bucket allows public reads.",
                config.public_base_url.as_deref().unwrap_or_default()
            ),
        );
    }
    if status >= 500 || status == 429 || code == Some("SlowDown") {
        return Explained {
            kind: ErrorKind::Server,
            code: "media_host_unavailable",
            message: format!("Your media host had a problem with {what} (HTTP {status})."),
            detail,
        };
    }
    match code {
        Some("NoSuchBucket") => rejected(
            "media_host_no_bucket",
            format!(
                "The bucket \"{bucket}\" does not exist at {endpoint}. Check the bucket name and the endpoint."
            ),
        ),
        Some("InvalidAccessKeyId") => rejected(
            "media_host_denied",
            format!(
                "Access denied: your media host does not know the access key ID {}. Check the access key ID.",
                config.access_key_id
            ),
        ),
        Some("SignatureDoesNotMatch") => rejected(
            "media_host_denied",
            "Access denied: your media host refused the secret access key (wrong keys). Enter the secret access key again.".into(),
        ),
        Some("AuthorizationHeaderMalformed" | "PermanentRedirect" | "IllegalLocationConstraintException") => {
            region_problem(config, region, detail.clone())
        }
        Some("RequestTimeTooSkewed") => rejected(
            "media_host_clock",
            "Your media host refuses CreatorFlow's requests because this computer's clock is off. Set the clock to the right time.".into(),
        ),
        Some("EntityTooLarge") => rejected(
            "media_too_large_for_host",
            "The file is larger than your media host takes in one upload.".into(),
        ),
        _ if status == 301 || status == 307 => region_problem(config, region, detail.clone()),
        _ if status == 401 || status == 403 => match doing {
            Doing::Fetch { public: false } => rejected(
                "media_host_link_refused",
                "Your media host refused its own presigned link (access denied). Check the region, and that the keys may read objects in this bucket.".into(),
            ),
            _ => rejected(
                "media_host_denied",
                format!(
                    "Access denied: your media host refused {what} to bucket \"{bucket}\" with these keys (wrong keys, or keys that may not read, write and delete objects there). Check the access key ID and secret access key."
                ),
            ),
        },
        _ if status == 404 => rejected(
            "media_host_no_bucket",
            format!(
                "Your media host at {endpoint} has no bucket \"{bucket}\" (HTTP 404). Check the bucket name, the endpoint and the addressing style."
            ),
        ),
        _ => rejected(
            "media_host_refused",
            format!("Your media host refused {what} (HTTP {status})."),
        ),
    }
}

fn region_problem(
    config: &MediaHostConfig,
    region: Option<&str>,
    detail: Option<String>,
) -> Explained {
    Explained {
        kind: ErrorKind::Rejected,
        code: "media_host_region",
        message: match region {
            Some(r) if r != config.region => format!(
                "The bucket \"{}\" is in region {r}, not {}: set the region to {r}.",
                config.bucket, config.region
            ),
            _ => format!(
                "The bucket \"{}\" is not in region {}, or the endpoint does not match it. Check the region and the endpoint.",
                config.bucket, config.region
            ),
        },
        detail,
    }
}

/// Warns when the URL networks would get points at this computer or a
/// private network: it works in the test, but not for Instagram's servers.
fn private_address_warning(url: &str) -> Option<String> {
    let url = Url::parse(url).ok()?;
    let host = url.host()?;
    let private = match &host {
        url::Host::Domain(d) => {
            *d == "localhost" || d.ends_with(".localhost") || d.ends_with(".local")
        }
        url::Host::Ipv4(ip) => ip.is_loopback() || ip.is_private() || ip.is_link_local(),
        url::Host::Ipv6(ip) => ip.is_loopback() || (ip.segments()[0] & 0xfe00) == 0xfc00,
    };
    private.then(|| {
        format!(
            "The links point at {host}, an address only this computer or your local network can reach: Instagram's servers cannot fetch files from it. Use a public endpoint or public base URL."
        )
    })
}

async fn load_config(engine: &Engine) -> Result<Option<MediaHostConfig>> {
    let row = sqlx::query(
        "SELECT endpoint, region, bucket, access_key_id, path_style, public_base_url, url_validity_secs
         FROM media_host WHERE id = 1",
    )
    .fetch_optional(engine.store().pool())
    .await?;
    Ok(row.map(|r| MediaHostConfig {
        endpoint: r.get("endpoint"),
        region: r.get("region"),
        bucket: r.get("bucket"),
        access_key_id: r.get("access_key_id"),
        path_style: r.get::<i64, _>("path_style") != 0,
        public_base_url: r.get("public_base_url"),
        url_validity_minutes: u32::try_from(r.get::<i64, _>("url_validity_secs") / 60)
            .unwrap_or(DEFAULT_URL_VALIDITY_MINUTES)
            .clamp(MIN_URL_VALIDITY_MINUTES, MAX_URL_VALIDITY_MINUTES),
    }))
}

fn internal(e: &EngineError) -> PlatformError {
    PlatformError::new(ErrorKind::Network, "internal", e.user_message())
}

fn delete_backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::minutes(1i64 << exp.min(9)).min(Duration::hours(6))
}

impl Engine {
    /// The media host's settings and what CreatorFlow keeps there.
    pub async fn media_host(&self) -> Result<MediaHostStatus> {
        self.media_host_status(None).await
    }

    async fn media_host_status(&self, notice: Option<String>) -> Result<MediaHostStatus> {
        let config = load_config(self).await?;
        let secret_saved = match &config {
            Some(_) => self.vault().media_host_secret().await?.is_some(),
            None => false,
        };
        let row = sqlx::query(
            "SELECT COUNT(*) AS files, COALESCE(SUM(delete_attempts > 0), 0) AS pending FROM hosted_media",
        )
        .fetch_one(self.store().pool())
        .await?;
        Ok(MediaHostStatus {
            config,
            secret_saved,
            hosted_files: u32::try_from(row.get::<i64, _>("files")).unwrap_or(u32::MAX),
            deletions_pending: u32::try_from(row.get::<i64, _>("pending")).unwrap_or(u32::MAX),
            notice,
        })
    }

    /// Whether a media host is set up.
    pub async fn has_media_host(&self) -> bool {
        sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM media_host)")
            .fetch_one(self.store().pool())
            .await
            .unwrap_or(false)
    }

    /// Saves the media host: `config` is checked (a problem is said in
    /// words), `secret_access_key` goes to the keychain only. An empty
    /// secret keeps the saved one, for the same access key ID. Files on a
    /// previous host (another endpoint or bucket) are deleted there.
    pub async fn set_media_host(
        &self,
        config: MediaHostConfig,
        secret_access_key: Option<&str>,
    ) -> Result<MediaHostStatus> {
        let config = config.checked()?;
        let secret = checked_secret(secret_access_key)?;
        let old = load_config(self).await?;
        let old_secret = self.vault().media_host_secret().await?;
        let keeps_secret = old
            .as_ref()
            .is_some_and(|o| o.access_key_id == config.access_key_id)
            && old_secret.is_some();
        if secret.is_none() && !keeps_secret {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                "Enter the secret access key that goes with this access key ID.",
            ));
        }
        if let Some(s) = &secret {
            self.vault().set_media_host_secret(s).await?;
        }
        let now = to_millis(self.now());
        let mut tx = self.store().write().await?;
        sqlx::query(
            "INSERT INTO media_host (id, endpoint, region, bucket, access_key_id, path_style,
                                     public_base_url, url_validity_secs, updated_at)
             VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET
                 endpoint = excluded.endpoint, region = excluded.region, bucket = excluded.bucket,
                 access_key_id = excluded.access_key_id, path_style = excluded.path_style,
                 public_base_url = excluded.public_base_url,
                 url_validity_secs = excluded.url_validity_secs, updated_at = excluded.updated_at",
        )
        .bind(&config.endpoint)
        .bind(&config.region)
        .bind(&config.bucket)
        .bind(&config.access_key_id)
        .bind(i64::from(config.path_style))
        .bind(&config.public_base_url)
        .bind(i64::from(config.url_validity_minutes) * 60)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // Links are made anew with the new settings (public or presigned).
        sqlx::query("UPDATE hosted_media SET url = NULL, url_expires_at = NULL")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(
            endpoint = %config.endpoint,
            bucket = %config.bucket,
            public = config.public_base_url.is_some(),
            "media host saved"
        );
        let notice = match old {
            Some(o) if o.fingerprint() != config.fingerprint() => {
                self.purge_host(&o, old_secret).await?
            }
            _ => None,
        };
        self.changes()
            .emit(Entity::Settings, vec![], ChangeSource::User);
        self.media_host_status(notice).await
    }

    /// Forgets the media host: CreatorFlow's files there are deleted (best
    /// effort), then the secret and the settings.
    pub async fn clear_media_host(&self) -> Result<MediaHostStatus> {
        let notice = match load_config(self).await? {
            Some(config) => {
                let secret = self.vault().media_host_secret().await?;
                self.purge_host(&config, secret).await?
            }
            None => None,
        };
        self.vault().delete_media_host_secret().await?;
        sqlx::query("DELETE FROM media_host")
            .execute(self.store().pool())
            .await?;
        tracing::info!("media host removed");
        self.changes()
            .emit(Entity::Settings, vec![], ChangeSource::User);
        self.media_host_status(notice).await
    }

    /// Deletes every file CreatorFlow recorded on `config`'s host and
    /// forgets them; what could not be deleted is said in words.
    async fn purge_host(
        &self,
        config: &MediaHostConfig,
        secret: Option<String>,
    ) -> Result<Option<String>> {
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT object_key FROM hosted_media WHERE host = ?")
                .bind(config.fingerprint())
                .fetch_all(self.store().pool())
                .await?;
        if keys.is_empty() {
            return Ok(None);
        }
        let host = secret.and_then(|s| S3Host::new(config, &s).ok());
        let mut left = 0usize;
        let mut reachable = host.is_some();
        for key in &keys {
            let Some(host) = host.as_ref().filter(|_| reachable) else {
                left += 1;
                continue;
            };
            match host.delete(key).await {
                Ok(()) => {}
                Err(e) => {
                    reachable = !matches!(e, S3Error::Connect { .. } | S3Error::Timeout);
                    left += 1;
                }
            }
        }
        sqlx::query("DELETE FROM hosted_media WHERE host = ?")
            .bind(config.fingerprint())
            .execute(self.store().pool())
            .await?;
        if left == 0 {
            tracing::info!(
                count = keys.len(),
                "files on the previous media host deleted"
            );
            return Ok(None);
        }
        tracing::warn!(
            left,
            bucket = %config.bucket,
            "files on the previous media host could not be deleted"
        );
        Ok(Some(format!(
            "{left} {} CreatorFlow had put in bucket \"{}\" could not be deleted. Delete the {KEY_PREFIX} folder there yourself.",
            if left == 1 { "file" } else { "files" },
            config.bucket
        )))
    }

    /// The configured host with its secret; `None` when none is set up.
    async fn open_host(&self) -> Result<Option<(MediaHostConfig, S3Host)>> {
        let Some(config) = load_config(self).await? else {
            return Ok(None);
        };
        let Some(secret) = self.vault().media_host_secret().await? else {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                format!(
                    "The secret access key of your media host is not in the keychain any more. Enter it again in {SETTING}."
                ),
            ));
        };
        let host = S3Host::new(&config, &secret).map_err(|e| {
            EngineError::invalid(
                ErrorCode::InvalidInput,
                format!("The media host's endpoint cannot be used ({e}). Check it in {SETTING}."),
            )
        })?;
        Ok(Some((config, host)))
    }

    /// Where a network fetches `key`: under the public base URL, or a fresh
    /// presigned link (with its expiry).
    fn download_url(
        &self,
        host: &S3Host,
        config: &MediaHostConfig,
        key: &str,
    ) -> (String, Option<DateTime<Utc>>) {
        match &config.public_base_url {
            Some(base) => (public_url(base, key), None),
            None => {
                let validity = config.url_validity();
                let url = host.presigned_get(key, validity.to_std().unwrap_or_default());
                // As stored (milliseconds), so a re-used link compares equal.
                let expires = from_millis(to_millis(self.now() + validity));
                (url.to_string(), Some(expires))
            }
        }
    }

    /// Puts a small file on the host, fetches it through the URL a network
    /// would get, and deletes it; says which step failed, in words.
    pub async fn test_media_host(&self) -> Result<MediaHostTest> {
        let Some((config, host)) = self.open_host().await? else {
            return Err(EngineError::invalid(
                ErrorCode::InvalidInput,
                "Set up a media host and save it first.",
            ));
        };
        let key = format!(
            "{KEY_PREFIX}connection-test-{}.txt",
            crate::auth::random_token(16)
        );
        let content = format!(
            "CreatorFlow checks that it can use this bucket ({}).",
            crate::auth::random_token(8)
        )
        .into_bytes();
        let mut steps = Vec::new();
        let step = |step, passed, message: String| MediaHostStepResult {
            step,
            passed,
            message,
        };
        let uploaded = match host.check_bucket().await {
            Ok(()) => host.put_bytes(&key, content.clone(), "text/plain").await,
            Err(e) => Err(e),
        };
        if let Err(e) = uploaded {
            let why = explain(&e, &config, Doing::Upload);
            tracing::info!(code = why.code, "media host test: upload failed");
            steps.push(step(MediaHostStep::Upload, false, why.message));
            return Ok(MediaHostTest {
                passed: false,
                steps,
                warning: None,
            });
        }
        steps.push(step(
            MediaHostStep::Upload,
            true,
            format!(
                "CreatorFlow put a test file in bucket \"{}\".",
                config.bucket
            ),
        ));
        let public = config.public_base_url.is_some();
        let (url, _) = self.download_url(&host, &config, &key);
        let how = if public {
            "its public URL"
        } else {
            "a presigned link"
        };
        match host.fetch(&url).await {
            Ok(bytes) if bytes == content => steps.push(step(
                MediaHostStep::Fetch,
                true,
                format!("The file could be downloaded through {how}, as Instagram will."),
            )),
            Ok(_) => steps.push(step(
                MediaHostStep::Fetch,
                false,
                format!(
                    "Something else came back from {how}: check that the public base URL is this bucket's public address."
                ),
            )),
            Err(e) => {
                let why = explain(&e, &config, Doing::Fetch { public });
                tracing::info!(code = why.code, "media host test: download failed");
                steps.push(step(MediaHostStep::Fetch, false, why.message));
            }
        }
        match host.delete(&key).await {
            Ok(()) => steps.push(step(
                MediaHostStep::Delete,
                true,
                "The test file was deleted again.".into(),
            )),
            Err(e) => {
                let why = explain(&e, &config, Doing::Delete);
                tracing::info!(code = why.code, "media host test: deletion failed");
                steps.push(step(
                    MediaHostStep::Delete,
                    false,
                    format!(
                        "{} CreatorFlow deletes each file once its post is out, so the keys must be allowed to delete objects.",
                        why.message
                    ),
                ));
            }
        }
        Ok(MediaHostTest {
            passed: steps.iter().all(|s| s.passed),
            steps,
            warning: private_address_warning(&url),
        })
    }

    /// Puts `file` on the media host for `target` and answers where a
    /// network can fetch it (what [`creatorflow_platforms::PublishSink::host_media`]
    /// gives a network's client). The same target and file re-use the
    /// object while it is there, with a fresh presigned link when the last
    /// one is close to its expiry. A misconfigured host is refused in words
    /// naming the setting to fix; a network problem or a 5xx is transient.
    pub async fn host_media(
        &self,
        target: TargetId,
        file: &MediaFile,
    ) -> std::result::Result<HostedMedia, PlatformError> {
        let (config, host) = match self.open_host().await {
            Ok(Some(open)) => open,
            Ok(None) => {
                return Err(PlatformError::new(
                    ErrorKind::Rejected,
                    "no_media_host",
                    format!(
                        "{} must be fetched from a public web address: set up a media host in {SETTING}, then publish the post again.",
                        file.display_name()
                    ),
                ));
            }
            Err(e @ EngineError::Invalid { .. }) => {
                return Err(PlatformError::new(
                    ErrorKind::Rejected,
                    "media_host_unusable",
                    e.user_message(),
                ));
            }
            Err(e) => return Err(internal(&e)),
        };
        if file.size > MAX_SINGLE_PUT_BYTES {
            return Err(PlatformError::new(
                ErrorKind::Rejected,
                "media_too_large_for_host",
                format!(
                    "{} is larger than 5 GB, more than a media host takes in one upload.",
                    file.display_name()
                ),
            ));
        }
        let fingerprint = config.fingerprint();
        if let Some(hosted) = self
            .reuse_hosted(target, file, &config, &host, &fingerprint)
            .await?
        {
            return Ok(hosted);
        }

        if let Err(e) = host.check_bucket().await {
            let why = explain(&e, &config, Doing::Upload);
            tracing::warn!(
                target,
                code = why.code,
                "the media host's bucket cannot be used"
            );
            return Err(why.into_platform_error());
        }
        let key = object_key(file);
        let now = self.now();
        let row: i64 = sqlx::query_scalar(
            "INSERT INTO hosted_media (target_id, sha256, host, object_key, state, created_at)
             VALUES (?, ?, ?, ?, 'uploading', ?) RETURNING id",
        )
        .bind(target)
        .bind(&file.sha256)
        .bind(&fingerprint)
        .bind(&key)
        .bind(to_millis(now))
        .fetch_one(self.store().pool())
        .await
        .map_err(|e| internal(&e.into()))?;
        let engine = self.clone();
        let total = file.size;
        let uploaded = host
            .put_file(&key, &file.path, file.size, &file.mime, move |sent| {
                engine.report_progress(target, sent, total)
            })
            .await;
        if let Err(e) = uploaded {
            // Whatever arrived goes with the next sweep.
            if let Err(db) = sqlx::query("UPDATE hosted_media SET state = 'delete' WHERE id = ?")
                .bind(row)
                .execute(self.store().pool())
                .await
            {
                tracing::error!(target, "could not record a broken-off upload: {db}");
            }
            let why = explain(&e, &config, Doing::Upload);
            tracing::warn!(
                target,
                code = why.code,
                "could not put a file on the media host"
            );
            return Err(why.into_platform_error());
        }
        let (url, expires_at) = self.download_url(&host, &config, &key);
        sqlx::query(
            "UPDATE hosted_media SET state = 'hosted', url = ?, url_expires_at = ? WHERE id = ?",
        )
        .bind(&url)
        .bind(expires_at.map(to_millis))
        .bind(row)
        .execute(self.store().pool())
        .await
        .map_err(|e| internal(&e.into()))?;
        tracing::info!(target, key, "file put on the media host");
        Ok(HostedMedia { url, expires_at })
    }

    /// The object already hosted for `target` and `file`, if it is still
    /// there; its link is renewed when close to expiry.
    async fn reuse_hosted(
        &self,
        target: TargetId,
        file: &MediaFile,
        config: &MediaHostConfig,
        host: &S3Host,
        fingerprint: &str,
    ) -> std::result::Result<Option<HostedMedia>, PlatformError> {
        let row = sqlx::query(
            "SELECT id, object_key, url, url_expires_at FROM hosted_media
             WHERE target_id = ? AND sha256 = ? AND host = ? AND state = 'hosted'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(target)
        .bind(&file.sha256)
        .bind(fingerprint)
        .fetch_optional(self.store().pool())
        .await
        .map_err(|e| internal(&e.into()))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let id: i64 = row.get("id");
        let key: String = row.get("object_key");
        match host.exists(&key).await {
            Ok(true) => {}
            Ok(false) => {
                // Gone from the bucket (a lifecycle rule, a cleanup): upload anew.
                tracing::info!(target, key, "a hosted file is gone from the media host");
                sqlx::query("DELETE FROM hosted_media WHERE id = ?")
                    .bind(id)
                    .execute(self.store().pool())
                    .await
                    .map_err(|e| internal(&e.into()))?;
                return Ok(None);
            }
            Err(e) => return Err(explain(&e, config, Doing::Check).into_platform_error()),
        }
        let now = self.now();
        let url: Option<String> = row.get("url");
        let expires_at = row.get::<Option<i64>, _>("url_expires_at").map(from_millis);
        if let Some(url) = url
            && expires_at.is_none_or(|at| at - now > config.reuse_margin())
        {
            return Ok(Some(HostedMedia { url, expires_at }));
        }
        let (url, expires_at) = self.download_url(host, config, &key);
        sqlx::query("UPDATE hosted_media SET url = ?, url_expires_at = ? WHERE id = ?")
            .bind(&url)
            .bind(expires_at.map(to_millis))
            .bind(id)
            .execute(self.store().pool())
            .await
            .map_err(|e| internal(&e.into()))?;
        Ok(Some(HostedMedia { url, expires_at }))
    }

    /// Deletes from the host the files no target needs any more (and those
    /// of broken-off uploads); a deletion that fails is tried again later,
    /// with backoff. Runs when the scheduler starts, after posts change,
    /// and on a timer.
    pub async fn sweep_hosted_media(&self) -> Result<Sweep> {
        let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM hosted_media)")
            .fetch_one(self.store().pool())
            .await?;
        if !any {
            return Ok(Sweep::default());
        }
        sqlx::query(&format!(
            "UPDATE hosted_media SET state = 'delete'
             WHERE state = 'hosted'
               AND NOT EXISTS (SELECT 1 FROM post_targets t
                               WHERE t.id = hosted_media.target_id AND t.status IN ({ACTIVE_STATUSES}))"
        ))
        .execute(self.store().pool())
        .await?;
        let Some(config) = load_config(self).await? else {
            return Ok(Sweep::default());
        };
        let now = self.now();
        let due = sqlx::query(
            "SELECT id, object_key, delete_attempts FROM hosted_media
             WHERE state = 'delete' AND host = ? AND (next_delete_at IS NULL OR next_delete_at <= ?)
             ORDER BY id LIMIT 200",
        )
        .bind(config.fingerprint())
        .bind(to_millis(now))
        .fetch_all(self.store().pool())
        .await?;
        if due.is_empty() {
            return Ok(Sweep::default());
        }
        let mut sweep = Sweep::default();
        // Once the host cannot be reached (or used), the rest waits too.
        let (host, mut unreachable) = match self.open_host().await {
            Ok(Some((_, host))) => (Some(host), None),
            Ok(None) => return Ok(sweep),
            Err(e) => {
                tracing::warn!("cannot delete files from the media host: {e}");
                (None, Some(e.user_message()))
            }
        };
        for row in due {
            let id: i64 = row.get("id");
            let key: String = row.get("object_key");
            let attempts: i64 = row.get("delete_attempts");
            let failure = match (&unreachable, &host) {
                (Some(why), _) => Some(why.clone()),
                (None, None) => Some(format!("The media host cannot be used. Check {SETTING}.")),
                (None, Some(host)) => match host.delete(&key).await {
                    Ok(()) => None,
                    // The bucket is gone, and the file with it.
                    Err(S3Error::Status {
                        code: Some(code), ..
                    }) if code == "NoSuchBucket" => None,
                    Err(e) => {
                        let why = explain(&e, &config, Doing::Delete).message;
                        if matches!(e, S3Error::Connect { .. } | S3Error::Timeout) {
                            unreachable = Some(why.clone());
                        }
                        Some(why)
                    }
                },
            };
            match failure {
                None => {
                    sqlx::query("DELETE FROM hosted_media WHERE id = ?")
                        .bind(id)
                        .execute(self.store().pool())
                        .await?;
                    sweep.deleted += 1;
                }
                Some(why) => {
                    let next = now + delete_backoff(attempts + 1);
                    sqlx::query(
                        "UPDATE hosted_media SET delete_attempts = delete_attempts + 1,
                             next_delete_at = ?, last_delete_error = ? WHERE id = ?",
                    )
                    .bind(to_millis(next))
                    .bind(&why)
                    .bind(id)
                    .execute(self.store().pool())
                    .await?;
                    sweep.failed += 1;
                }
            }
        }
        if sweep.deleted > 0 {
            tracing::info!(count = sweep.deleted, "files deleted from the media host");
        }
        if sweep.failed > 0 {
            tracing::warn!(
                count = sweep.failed,
                "files could not be deleted from the media host; trying again later"
            );
        }
        Ok(sweep)
    }

    /// How long the sweeper may sleep: until the next deletion to retry,
    /// within [`SWEEP_PAUSE`] and [`SWEEP_EVERY`].
    async fn next_sweep_in(&self) -> StdDuration {
        // Files on no configured host cannot be deleted: nothing to wait for.
        let Ok(Some(config)) = load_config(self).await else {
            return SWEEP_EVERY;
        };
        let next: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(COALESCE(next_delete_at, 0)) FROM hosted_media
             WHERE state = 'delete' AND host = ?",
        )
        .bind(config.fingerprint())
        .fetch_one(self.store().pool())
        .await
        .unwrap_or(None);
        match next {
            Some(at) => (from_millis(at) - self.now())
                .to_std()
                .unwrap_or(StdDuration::ZERO)
                .clamp(SWEEP_PAUSE, SWEEP_EVERY),
            None => SWEEP_EVERY,
        }
    }
}

/// The sweeper: uploads an exit broke off are marked for deletion, then it
/// sweeps at start, shortly after posts change, and when a deletion to
/// retry comes due (at least every few minutes; never in a busy loop).
pub(crate) fn spawn_sweeper(
    engine: Engine,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut changes = engine.subscribe();
        // Nothing uploads before the scheduler runs: an unfinished upload
        // was cut off by the last exit.
        if let Err(e) =
            sqlx::query("UPDATE hosted_media SET state = 'delete' WHERE state = 'uploading'")
                .execute(engine.store().pool())
                .await
        {
            tracing::error!("could not look for uploads the last exit cut off: {e}");
        }
        loop {
            if *stop.borrow() {
                break;
            }
            let wait = match engine.sweep_hosted_media().await {
                Ok(_) => engine.next_sweep_in().await,
                Err(e) => {
                    tracing::error!("could not sweep the media host: {e}");
                    SWEEP_EVERY
                }
            };
            let posts_changed = async {
                loop {
                    match changes.recv().await {
                        Ok(c) if c.entity == Entity::Posts => return true,
                        Ok(_) => {}
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return true,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => return false,
                    }
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                open = posts_changed => if !open { break },
                _ = stop.changed() => break,
            }
            // Let a burst of changes settle, then sweep once for all.
            tokio::select! {
                _ = tokio::time::sleep(StdDuration::from_millis(300)) => {}
                _ = stop.changed() => break,
            }
            while changes.try_recv().is_ok() {}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> MediaHostConfig {
        MediaHostConfig {
            endpoint: " https://acc123.r2.cloudflarestorage.com/ ".into(),
            region: "auto".into(),
            bucket: "cf-media".into(),
            access_key_id: "AKID".into(),
            path_style: true,
            public_base_url: Some("https://pub-1.r2.dev/".into()),
            url_validity_minutes: 60,
        }
    }

    fn file(mime: &str, path: &str) -> MediaFile {
        MediaFile {
            path: path.into(),
            name: Some("holiday.jpg".into()),
            mime: mime.into(),
            size: 10,
            sha256: "ab".repeat(32),
            width: None,
            height: None,
            duration_ms: None,
            codec: None,
            alt_text: None,
        }
    }

    #[test]
    fn object_keys_are_unguessable_and_keep_the_extension() {
        let a = object_key(&file("image/jpeg", "/m/abc.jpg"));
        let b = object_key(&file("image/jpeg", "/m/abc.jpg"));
        assert_ne!(a, b);
        let name = a.strip_prefix(KEY_PREFIX).expect("under the prefix");
        let (random, ext) = name.split_once('.').expect("an extension");
        assert_eq!(ext, "jpg");
        assert_eq!(random.len(), 32);
        assert!(
            random
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{random}"
        );
        assert!(object_key(&file("video/quicktime", "/m/x")).ends_with(".mov"));
        assert!(object_key(&file("application/octet-stream", "/m/x.HEIC")).ends_with(".heic"));
        assert!(object_key(&file("application/octet-stream", "/m/x")).ends_with(".bin"));
        assert!(object_key(&file("x/y", "/m/x.a/b$c")).ends_with(".bin"));
    }

    #[test]
    fn public_urls_are_the_base_and_the_key() {
        assert_eq!(
            public_url("https://pub-1.r2.dev", "creatorflow/k.jpg"),
            "https://pub-1.r2.dev/creatorflow/k.jpg"
        );
        assert_eq!(
            public_url("https://cdn.example.com/media/", "creatorflow/k.jpg"),
            "https://cdn.example.com/media/creatorflow/k.jpg"
        );
    }

    #[test]
    fn settings_are_trimmed_and_checked_in_words() {
        let ok = config().checked().expect("valid");
        assert_eq!(ok.endpoint, "https://acc123.r2.cloudflarestorage.com");
        assert_eq!(ok.public_base_url.as_deref(), Some("https://pub-1.r2.dev"));
        let empty_base = MediaHostConfig {
            public_base_url: Some("  ".into()),
            ..config()
        };
        assert_eq!(empty_base.checked().expect("valid").public_base_url, None);

        let problem = |c: MediaHostConfig| c.checked().expect_err("invalid").user_message();
        assert!(
            problem(MediaHostConfig {
                endpoint: "".into(),
                ..config()
            })
            .contains("Enter the endpoint")
        );
        assert!(
            problem(MediaHostConfig {
                endpoint: "acc123.r2.cloudflarestorage.com".into(),
                ..config()
            })
            .contains("web address")
        );
        assert!(
            problem(MediaHostConfig {
                endpoint: "https://acc123.r2.cloudflarestorage.com/cf-media".into(),
                ..config()
            })
            .contains("Leave the bucket name out")
        );
        assert!(
            problem(MediaHostConfig {
                region: " ".into(),
                ..config()
            })
            .contains("Enter the region")
        );
        assert!(
            problem(MediaHostConfig {
                bucket: "a/b".into(),
                ..config()
            })
            .contains("3 to 63")
        );
        assert!(
            problem(MediaHostConfig {
                bucket: "my.bucket".into(),
                path_style: false,
                endpoint: "https://s3.amazonaws.com".into(),
                ..config()
            })
            .contains("path-style")
        );
        assert!(
            problem(MediaHostConfig {
                access_key_id: "AK ID".into(),
                ..config()
            })
            .contains("no spaces")
        );
        assert!(
            problem(MediaHostConfig {
                public_base_url: Some("pub-1.r2.dev".into()),
                ..config()
            })
            .contains("public base URL")
        );
        assert!(
            problem(MediaHostConfig {
                url_validity_minutes: 7 * 24 * 60 + 1,
                ..config()
            })
            .contains("7 days")
        );
        assert!(checked_secret(Some("a b")).is_err());
        assert_eq!(checked_secret(Some("  ")).expect("empty"), None);
        assert_eq!(
            checked_secret(Some(" s3cr3t ")).expect("ok").as_deref(),
            Some("s3cr3t")
        );
    }

    #[test]
    fn host_failures_are_explained_and_classified() {
        let c = config().checked().expect("valid");
        let status = |status: u16, code: Option<&str>| S3Error::Status {
            status,
            code: code.map(str::to_owned),
            message: None,
            region: None,
        };
        let e = explain(&status(404, Some("NoSuchBucket")), &c, Doing::Upload);
        assert_eq!(
            (e.kind, e.code),
            (ErrorKind::Rejected, "media_host_no_bucket")
        );
        assert!(e.message.contains("\"cf-media\" does not exist"));
        let e = explain(
            &status(403, Some("SignatureDoesNotMatch")),
            &c,
            Doing::Upload,
        );
        assert_eq!(e.code, "media_host_denied");
        assert!(e.message.contains("wrong keys"));
        let e = explain(&status(403, Some("AccessDenied")), &c, Doing::Delete);
        assert!(e.message.contains("Access denied"));
        let e = explain(&status(403, None), &c, Doing::Fetch { public: true });
        assert_eq!(e.code, "media_host_public_unreadable");
        let e = explain(&status(503, Some("SlowDown")), &c, Doing::Upload);
        assert_eq!(e.kind, ErrorKind::Server);
        let e = explain(
            &S3Error::Status {
                status: 301,
                code: Some("PermanentRedirect".into()),
                message: None,
                region: Some("eu-central-1".into()),
            },
            &c,
            Doing::Upload,
        );
        assert!(
            e.message.contains("set the region to eu-central-1"),
            "{e:?}"
        );
        let e = explain(
            &S3Error::Connect {
                cause: "nothing answered at that address".into(),
            },
            &c,
            Doing::Upload,
        );
        assert_eq!(e.kind, ErrorKind::Network);
        assert!(e.message.contains("could not connect"));
        let published =
            explain(&status(404, Some("NoSuchBucket")), &c, Doing::Upload).into_platform_error();
        assert!(published.message.contains(SETTING), "{}", published.message);
        assert!(!published.is_transient());
    }

    #[test]
    fn private_addresses_are_warned_about() {
        assert!(private_address_warning("http://127.0.0.1:9000/b/k").is_some());
        assert!(private_address_warning("http://192.168.1.5/b/k").is_some());
        assert!(private_address_warning("http://minio.local/b/k").is_some());
        assert!(private_address_warning("https://pub-1.r2.dev/k").is_none());
    }

    #[test]
    fn failed_deletions_back_off() {
        assert_eq!(delete_backoff(1), Duration::minutes(1));
        assert_eq!(delete_backoff(2), Duration::minutes(2));
        assert_eq!(delete_backoff(5), Duration::minutes(16));
        assert_eq!(delete_backoff(30), Duration::hours(6));
    }
}
