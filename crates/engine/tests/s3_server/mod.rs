//! A real S3-compatible server for the media host's tests: `s3s-fs` (the
//! `s3s` project's file-system server), started on 127.0.0.1 on a free port
//! with a temp dir and fixed test credentials, stopped when dropped.
//! `scripts/lib.sh` (`install_s3s_fs`, run by `scripts/test.sh`) installs it.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "cf-test-access";
pub const SECRET_KEY: &str = "cf-test-secret-Jq8Vw2Lr5Zt0Xb3N";
/// The bucket every server starts with.
pub const BUCKET: &str = "cf-media";

/// Where `s3s-fs` is: `$CF_S3S_FS`, on PATH, or where `scripts/lib.sh`
/// installs it.
pub fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("CF_S3S_FS") {
        return PathBuf::from(p);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("s3s-fs");
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let installed = std::env::var_os("CF_S3S_FS_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cache/creatorflow/s3s-fs"))
        .join("bin/s3s-fs");
    assert!(
        installed.is_file(),
        "s3s-fs (the S3 server these tests run against) is not installed: run scripts/test.sh, \
         or `bash -c 'source scripts/lib.sh && install_s3s_fs'`, or point CF_S3S_FS at the binary \
         (looked on PATH and at {})",
        installed.display()
    );
    installed
}

pub struct S3Server {
    child: Option<Child>,
    pub port: u16,
    /// The server's data: `<root>/<bucket>/<key>`.
    pub root: tempfile::TempDir,
}

impl S3Server {
    /// A server with the bucket [`BUCKET`].
    pub async fn start() -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(root.path().join(BUCKET)).expect("bucket dir");
        let mut server = Self {
            child: None,
            port: 0,
            root,
        };
        server.launch(None).await;
        server
    }

    /// `http://127.0.0.1:<port>`, the endpoint to configure (path style).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// This server as a creator sets it up: path style, presigned links
    /// for an hour, the test keys.
    pub fn presigned(&self) -> creatorflow_engine::media_host::MediaHostConfig {
        creatorflow_engine::media_host::MediaHostConfig {
            endpoint: self.endpoint(),
            region: "us-east-1".into(),
            bucket: BUCKET.into(),
            access_key_id: ACCESS_KEY.into(),
            path_style: true,
            public_base_url: None,
            url_validity_minutes: 60,
        }
    }

    /// The file an object is kept in.
    pub fn object_path(&self, key: &str) -> PathBuf {
        self.root.path().join(BUCKET).join(key)
    }

    /// The keys under `creatorflow/` the server holds now.
    pub fn objects(&self) -> Vec<String> {
        let dir = self.root.path().join(BUCKET).join("creatorflow");
        let mut keys: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .flatten()
                    .filter(|e| e.path().is_file())
                    .map(|e| format!("creatorflow/{}", e.file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        keys.sort();
        keys
    }

    /// Stops the server (its data stays): the host becomes unreachable.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port and data.
    pub async fn restart(&mut self) {
        self.stop();
        let port = self.port;
        self.launch(Some(port)).await;
    }

    async fn launch(&mut self, port: Option<u16>) {
        let binary = binary();
        for _ in 0..5 {
            let port = port.unwrap_or_else(free_port);
            let mut child = Command::new(&binary)
                .arg("--host")
                .arg("127.0.0.1")
                .arg("--port")
                .arg(port.to_string())
                .arg("--access-key")
                .arg(ACCESS_KEY)
                .arg("--secret-key")
                .arg(SECRET_KEY)
                .arg(self.root.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {}: {e}", binary.display()));
            if wait_until_listening(&mut child, port).await {
                self.child = Some(child);
                self.port = port;
                return;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("s3s-fs did not start listening on 127.0.0.1");
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port nothing listens on now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn wait_until_listening(child: &mut Child, port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false; // exited: the port was taken meanwhile
        }
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A public web server over the S3 server's data, as a bucket's public
/// address (an R2 `r2.dev` URL, a CDN) serves it: `GET /<key>` answers the
/// object of [`BUCKET`], without credentials.
pub struct PublicSite {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl PublicSite {
    pub async fn serve(root: &Path) -> Self {
        use axum::extract::{Path as UrlPath, State};
        use axum::http::StatusCode;
        let dir = root.join(BUCKET);
        let app = axum::Router::new()
            .route(
                "/{*key}",
                axum::routing::get(
                    |State(dir): State<PathBuf>, UrlPath(key): UrlPath<String>| async move {
                        if key.split('/').any(|part| part == ".." || part.is_empty()) {
                            return Err(StatusCode::BAD_REQUEST);
                        }
                        tokio::fs::read(dir.join(&key))
                            .await
                            .map_err(|_| StatusCode::NOT_FOUND)
                    },
                ),
            )
            .with_state(dir);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { base, task }
    }
}

impl Drop for PublicSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Waits until the bucket holds `n` objects (at most 20 s).
pub async fn wait_for_objects(s3: &S3Server, n: usize, what: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let objects = s3.objects();
        if objects.len() == n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: the bucket holds {objects:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
