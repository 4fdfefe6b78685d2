//! Managed state, reached through `app.engine()` / `app.info()`.

use std::sync::atomic::{AtomicBool, Ordering};

use creatorflow_engine::Engine;
use tauri::{Manager, Runtime};

use crate::commands::AppInfo;
use crate::error::IpcError;

pub struct AppState {
    /// The engine, or why it could not start (for example a database written
    /// by a newer CreatorFlow): the UI then shows that message.
    pub engine: Result<Engine, IpcError>,
    pub info: AppInfo,
    pub close_to_tray: AtomicBool,
    /// The sandbox, in sandbox mode (an embedded one is stopped and saved at exit).
    pub sandbox: std::sync::Mutex<Option<crate::sandbox_mode::Link>>,
    pub scheduler: std::sync::Mutex<Option<creatorflow_engine::SchedulerHandle>>,
    /// The post a notification or link asked to show, until the main window's
    /// UI takes it: a window recreated from the tray has not loaded yet when
    /// the request comes, so an event alone would be lost.
    pub open_post: std::sync::Mutex<Option<i64>>,
}

pub trait AppExt<R: Runtime> {
    fn engine(&self) -> Result<Engine, IpcError>;
    fn info(&self) -> AppInfo;
    fn close_to_tray(&self) -> bool;
    fn set_close_to_tray(&self, on: bool);
}

impl<R: Runtime, M: Manager<R>> AppExt<R> for M {
    fn engine(&self) -> Result<Engine, IpcError> {
        self.state::<AppState>().engine.clone()
    }

    fn info(&self) -> AppInfo {
        self.state::<AppState>().info.clone()
    }

    fn close_to_tray(&self) -> bool {
        self.state::<AppState>()
            .close_to_tray
            .load(Ordering::Relaxed)
    }

    fn set_close_to_tray(&self, on: bool) {
        self.state::<AppState>()
            .close_to_tray
            .store(on, Ordering::Relaxed);
    }
}
