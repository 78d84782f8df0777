//! The system clipboard, opened on first use rather than at start-up (on Linux it is an X11 connection and
//! a thread serving the selection), and closed when the app exits so a clipboard manager can take over
//! what is on it.

use crate::ipc::{IpcError, IpcResult, ShellCode};
use std::sync::{Mutex, OnceLock};

static CLIPBOARD: OnceLock<Mutex<Option<arboard::Clipboard>>> = OnceLock::new();

fn with<T>(f: impl FnOnce(&mut arboard::Clipboard) -> Result<T, arboard::Error>) -> IpcResult<T> {
    let failed = |e: arboard::Error| IpcError::new(ShellCode::Clipboard, format!("Could not use the clipboard: {e}"));
    let mut guard = CLIPBOARD.get_or_init(|| Mutex::new(None)).lock().map_err(|_| IpcError::new(ShellCode::Clipboard, "The clipboard is not available."))?;
    if guard.is_none() {
        *guard = Some(arboard::Clipboard::new().map_err(failed)?);
    }
    match guard.as_mut() {
        Some(c) => f(c).map_err(failed),
        None => Err(IpcError::new(ShellCode::Clipboard, "The clipboard is not available.")),
    }
}

pub fn write(text: &str) -> IpcResult<()> {
    with(|c| c.set_text(text))
}

/// Not on the main thread: reading can deadlock there on Linux while the webview holds a selection.
pub fn read() -> IpcResult<String> {
    with(|c| c.get_text())
}

/// At exit: hand the clipboard over (arboard asks to be dropped before the process ends).
pub fn close() {
    if let Some(cell) = CLIPBOARD.get() {
        if let Ok(mut guard) = cell.lock() {
            guard.take();
        }
    }
}
