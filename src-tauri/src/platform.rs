//! What the window needs from the platform, settled before Tauri makes it.

/// Linux: WebKitGTK paints the page on extra "GPU painting" threads by default. Where the GL is software
/// (no GPU driver: virtual machines, remote desktops, Xvfb), each of those threads keeps its own buffers, and
/// for a page of forms like ours that is about 30 MiB of memory for no visible gain (measured by `make
/// bench`). The app paints on WebKit's main painting thread instead, unless the user chose otherwise.
///
/// Windows: the window is drawn by Microsoft Edge WebView2. Without it Tauri cannot make a window and
/// would end with a panic nobody sees (the app has no console); say what is missing and where to get it.
pub fn prepare_webview() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_SKIA_GPU_PAINTING_THREADS").is_none() {
        // Before any thread starts and before WebKit reads it (its web process inherits it).
        std::env::set_var("WEBKIT_SKIA_GPU_PAINTING_THREADS", "0");
    }
    #[cfg(windows)]
    if let Err(e) = tauri::webview_version() {
        webview2_missing(&e.to_string());
    }
}

#[cfg(windows)]
const WEBVIEW2_MISSING: &str = "S3 Access Wizard needs Microsoft Edge WebView2 Runtime, which is not \
    installed on this computer.\n\nInstall it from Microsoft (https://go.microsoft.com/fwlink/p/?LinkId=2124703), \
    then open S3 Access Wizard again. The command-line tool, s3aw.exe, works without it.";

/// Exit code when the window cannot be made because WebView2 is missing.
#[cfg(windows)]
pub const EXIT_NO_WEBVIEW: i32 = 3;

#[cfg(windows)]
fn webview2_missing(detail: &str) -> ! {
    eprintln!("{WEBVIEW2_MISSING}\n({detail})");
    rfd::MessageDialog::new()
        .set_level(rfd::MessageLevel::Error)
        .set_title("S3 Access Wizard")
        .set_description(WEBVIEW2_MISSING)
        .set_buttons(rfd::MessageButtons::Ok)
        .show();
    std::process::exit(EXIT_NO_WEBVIEW);
}
