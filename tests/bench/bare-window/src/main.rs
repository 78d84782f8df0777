//! A bare Tauri 2 window: the same Tauri version, window size, CSP and bundle settings as S3 Access Wizard,
//! and no app code. `make bench` measures the app's start-up, memory and sizes against it. Its one command
//! reports the first screen drawn on stderr, as the app does with `S3AW_REPORT_READY=1`, so both are timed
//! the same way.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

#[tauri::command]
fn ui_ready(screen: String) {
    let ms = STARTED.get().map(|t| t.elapsed().as_millis()).unwrap_or_default();
    eprintln!("s3aw-ready after {ms} ms: {screen}");
}

fn main() {
    STARTED.get_or_init(std::time::Instant::now);
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("the bare window could not start: {e}");
            std::process::exit(1);
        });
}
