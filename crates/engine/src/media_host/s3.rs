//! The S3 requests the media host needs (put, head, delete, and the URLs to
//! fetch objects), signed by `rusty-s3` (sans-IO: it only builds presigned
//! URLs) and sent with reqwest. A file is streamed from disk with its
//! Content-Length, never read into memory.

use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration as StdDuration;

use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};
use tokio::io::{AsyncRead, ReadBuf};
use url::Url;

use super::MediaHostConfig;

/// A presigned request is made just before it is sent; this is how long it
/// may take to start (S3 checks the expiry when a request begins, so a long
/// upload that started in time finishes).
const REQUEST_VALIDITY: StdDuration = StdDuration::from_secs(15 * 60);
/// A small request (head, delete, the test file) gets this long in all.
const SMALL_REQUEST_TIMEOUT: StdDuration = StdDuration::from_secs(30);
/// An upload gets a minute plus this many bytes a second at least.
const SLOWEST_UPLOAD_BYTES_PER_SEC: u64 = 128 * 1024;
/// The most S3 (and R2, B2) take in one PUT.
pub const MAX_SINGLE_PUT_BYTES: u64 = 5 * 1024 * 1024 * 1024;

/// Why a request to the host did not work.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum S3Error {
    /// No connection: the name was not found, nothing answered, or its
    /// certificate was refused (`cause` says which, in words).
    Connect { cause: String },
    /// No answer in time.
    Timeout,
    /// The host answered with an error.
    Status {
        status: u16,
        /// S3's error code (`NoSuchBucket`, `SignatureDoesNotMatch` ...).
        code: Option<String>,
        message: Option<String>,
        /// Where the bucket really is (`x-amz-bucket-region`), if said.
        region: Option<String>,
    },
    /// The file to upload could not be read.
    File(String),
}

/// Builds the bucket a config names (endpoint, addressing, name, region).
pub(crate) fn bucket(config: &MediaHostConfig) -> Result<Bucket, String> {
    let endpoint = Url::parse(&config.endpoint).map_err(|e| e.to_string())?;
    let style = if config.path_style {
        UrlStyle::Path
    } else {
        UrlStyle::VirtualHost
    };
    Bucket::new(
        endpoint,
        style,
        config.bucket.clone(),
        config.region.clone(),
    )
    .map_err(|e| format!("{e:?}"))
}

/// One configured host, ready to sign and send requests.
#[derive(Clone)]
pub(crate) struct S3Host {
    bucket: Bucket,
    credentials: Credentials,
    http: reqwest::Client,
}

impl S3Host {
    pub fn new(config: &MediaHostConfig, secret: &str) -> Result<Self, String> {
        Ok(Self {
            bucket: bucket(config)?,
            credentials: Credentials::new(config.access_key_id.clone(), secret),
            http: http_client(),
        })
    }

    /// A presigned download URL of `key`, good for `validity`.
    pub fn presigned_get(&self, key: &str, validity: StdDuration) -> Url {
        self.bucket
            .get_object(Some(&self.credentials), key)
            .sign(validity)
    }

    /// Streams the file at `path` (`size` bytes) to `key`; `progress` hears
    /// the bytes sent so far.
    pub async fn put_file(
        &self,
        key: &str,
        path: &Path,
        size: u64,
        mime: &str,
        progress: impl Fn(u64) + Send + Sync + 'static,
    ) -> Result<(), S3Error> {
        let file = tokio::fs::File::open(path)
            .await
            .map_err(|e| S3Error::File(e.to_string()))?;
        let on_disk = file
            .metadata()
            .await
            .map_err(|e| S3Error::File(e.to_string()))?
            .len();
        if on_disk != size {
            return Err(S3Error::File(format!(
                "the file has {on_disk} bytes, {size} were expected"
            )));
        }
        let reader = Counting {
            inner: file,
            sent: 0,
            report: Box::new(progress),
        };
        let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(
            reader,
            256 * 1024,
        ));
        let url = self
            .bucket
            .put_object(Some(&self.credentials), key)
            .sign(REQUEST_VALIDITY);
        let timeout = StdDuration::from_secs(60 + size / SLOWEST_UPLOAD_BYTES_PER_SEC);
        let response = self
            .http
            .put(url)
            // A streamed body has no length of its own: S3 needs it said.
            .header(reqwest::header::CONTENT_LENGTH, size)
            .header(reqwest::header::CONTENT_TYPE, mime)
            .body(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(request_error)?;
        answer(response).await.map(|_| ())
    }

    /// Puts a few bytes (the connection test's file).
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>, mime: &str) -> Result<(), S3Error> {
        let url = self
            .bucket
            .put_object(Some(&self.credentials), key)
            .sign(REQUEST_VALIDITY);
        let response = self
            .http
            .put(url)
            .header(reqwest::header::CONTENT_TYPE, mime)
            .body(bytes)
            .timeout(SMALL_REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(request_error)?;
        answer(response).await.map(|_| ())
    }

    /// Checks the bucket before an upload, so a large file is not sent
    /// into a bucket that is not there (and a server that would create it
    /// on the fly, as some S3-compatible ones do, does not). Only a clear
    /// "no such bucket" or "elsewhere" stops the upload: keys that may
    /// write objects but not look at the bucket (403) go ahead, and the
    /// upload says whether they work.
    pub async fn check_bucket(&self) -> Result<(), S3Error> {
        let url = self
            .bucket
            .head_bucket(Some(&self.credentials))
            .sign(REQUEST_VALIDITY);
        let response = self
            .http
            .head(url)
            .timeout(SMALL_REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(request_error)?;
        match answer(response).await {
            Ok(_) => Ok(()),
            // A HEAD answer has no body to name the error: its status does.
            Err(S3Error::Status {
                status: 404,
                region,
                ..
            }) => Err(S3Error::Status {
                status: 404,
                code: Some("NoSuchBucket".into()),
                message: None,
                region,
            }),
            Err(e @ S3Error::Status { status: 301, .. }) => Err(e),
            Err(S3Error::Status { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Whether `key` is there.
    pub async fn exists(&self, key: &str) -> Result<bool, S3Error> {
        let url = self
            .bucket
            .head_object(Some(&self.credentials), key)
            .sign(REQUEST_VALIDITY);
        let response = self
            .http
            .head(url)
            .timeout(SMALL_REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(request_error)?;
        match response.status().as_u16() {
            404 => Ok(false),
            _ => answer(response).await.map(|_| true),
        }
    }

    /// Deletes `key` (deleting what is not there is not an error).
    pub async fn delete(&self, key: &str) -> Result<(), S3Error> {
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), key)
            .sign(REQUEST_VALIDITY);
        let response = self
            .http
            .delete(url)
            .timeout(SMALL_REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(request_error)?;
        answer(response).await.map(|_| ())
    }

    /// Fetches `url` as a network would: no credentials, no cookies.
    pub async fn fetch(&self, url: &str) -> Result<Vec<u8>, S3Error> {
        let response = self
            .http
            .get(url)
            .timeout(SMALL_REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(request_error)?;
        let response = answer(response).await?;
        response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(request_error)
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("CreatorFlow/", env!("CARGO_PKG_VERSION")))
        // A 301 from S3 names the bucket's real region: an answer, not a hop.
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(StdDuration::from_secs(10))
        .pool_idle_timeout(StdDuration::from_secs(30))
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// A success passes; an error answer becomes [`S3Error::Status`] with S3's
/// code and message read from its XML body.
async fn answer(response: reqwest::Response) -> Result<reqwest::Response, S3Error> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let region = response
        .headers()
        .get("x-amz-bucket-region")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.unwrap_or_default();
    Err(S3Error::Status {
        status: status.as_u16(),
        code: xml_field(&body, "Code"),
        message: xml_field(&body, "Message"),
        region: region.or_else(|| xml_field(&body, "Region")),
    })
}

/// The text of the first `<field>` in an S3 error document.
pub(crate) fn xml_field(body: &str, field: &str) -> Option<String> {
    let open = format!("<{field}>");
    let close = format!("</{field}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&close)? + start;
    let text = body[start..end].trim();
    (!text.is_empty() && text.len() <= 500).then(|| text.to_owned())
}

fn request_error(e: reqwest::Error) -> S3Error {
    if e.is_timeout() {
        return S3Error::Timeout;
    }
    // The whole chain, lower-cased, to tell the common causes apart (the
    // URL is never part of it: reqwest keeps it apart).
    let mut chain = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(&e);
    while let Some(s) = source {
        chain.push_str(&s.to_string().to_lowercase());
        chain.push(' ');
        source = s.source();
    }
    let cause = if chain.contains("dns") || chain.contains("lookup") || chain.contains("resolve") {
        "its name could not be found"
    } else if chain.contains("refused") {
        "nothing answered at that address"
    } else if chain.contains("certificate") || chain.contains("tls") || chain.contains("ssl") {
        "its security certificate was not accepted"
    } else if chain.contains("timed out") {
        return S3Error::Timeout;
    } else if e.is_connect() {
        "the connection could not be made"
    } else {
        "the connection broke off"
    };
    S3Error::Connect {
        cause: cause.to_owned(),
    }
}

/// Counts the bytes read through it (the upload's progress).
struct Counting<R> {
    inner: R,
    sent: u64,
    report: Box<dyn Fn(u64) + Send + Sync>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Counting<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &polled {
            let read = (buf.filled().len() - before) as u64;
            if read > 0 {
                self.sent += read;
                let sent = self.sent;
                (self.report)(sent);
            }
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(endpoint: &str, path_style: bool) -> MediaHostConfig {
        MediaHostConfig {
            endpoint: endpoint.into(),
            region: "auto".into(),
            bucket: "cf-media".into(),
            access_key_id: "AKIDEXAMPLE".into(),
            path_style,
            public_base_url: None,
            url_validity_minutes: 60,
        }
    }

    #[test]
    fn addressing_puts_the_bucket_in_the_path_or_the_host() {
        let path = bucket(&config("https://acc.r2.cloudflarestorage.com", true)).expect("bucket");
        assert_eq!(
            path.object_url("creatorflow/a.jpg").expect("url").as_str(),
            "https://acc.r2.cloudflarestorage.com/cf-media/creatorflow/a.jpg"
        );
        let host = bucket(&config("https://s3.eu-west-1.amazonaws.com", false)).expect("bucket");
        assert_eq!(
            host.object_url("creatorflow/a.jpg").expect("url").as_str(),
            "https://cf-media.s3.eu-west-1.amazonaws.com/creatorflow/a.jpg"
        );
        let minio = bucket(&config("http://127.0.0.1:9000", true)).expect("bucket");
        assert_eq!(
            minio.object_url("k.png").expect("url").as_str(),
            "http://127.0.0.1:9000/cf-media/k.png"
        );
    }

    #[test]
    fn a_presigned_download_url_names_the_object_and_its_lifetime_but_not_the_secret() {
        let host = S3Host::new(
            &config("https://acc.r2.cloudflarestorage.com", true),
            "very-secret-key",
        )
        .expect("host");
        let url = host.presigned_get("creatorflow/abc.jpg", StdDuration::from_secs(3600));
        assert!(
            url.path().ends_with("/cf-media/creatorflow/abc.jpg"),
            "{url}"
        );
        let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(query.get("X-Amz-Expires").map(String::as_str), Some("3600"));
        assert!(query["X-Amz-Credential"].starts_with("AKIDEXAMPLE/"));
        assert!(query["X-Amz-Credential"].contains("/auto/s3/aws4_request"));
        assert!(query.contains_key("X-Amz-Signature"));
        assert!(!url.as_str().contains("very-secret-key"));
    }

    #[test]
    fn s3_error_documents_are_read() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>
<BucketName>cf-media</BucketName></Error>"#;
        assert_eq!(xml_field(body, "Code").as_deref(), Some("NoSuchBucket"));
        assert_eq!(
            xml_field(body, "Message").as_deref(),
            Some("The specified bucket does not exist")
        );
        assert_eq!(xml_field(body, "Region"), None);
        assert_eq!(xml_field("", "Code"), None);
        assert_eq!(xml_field("<Code></Code>", "Code"), None);
    }
}
