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
    if let Some(value) = painting_threads(std::env::var_os(PAINTING_THREADS).as_deref()) {
        // Before any thread starts and before WebKit reads it (its web process inherits it).
        std::env::set_var(PAINTING_THREADS, value);
    }
    #[cfg(windows)]
    if let Err(e) = tauri::webview_version() {
        webview2_missing(&e.to_string());
    }
}

/// WebKitGTK's setting for its GPU painting threads (WebKitGTK 2.46 and later; older ones ignore it).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
const PAINTING_THREADS: &str = "WEBKIT_SKIA_GPU_PAINTING_THREADS";

/// What to set `WEBKIT_SKIA_GPU_PAINTING_THREADS` to, given its value now: no painting threads, unless the
/// user (or their desktop) already chose a value, which is kept as it is.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn painting_threads(current: Option<&std::ffi::OsStr>) -> Option<&'static str> {
    match current {
        None => Some("0"),
        Some(_) => None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn paints_without_extra_threads_unless_the_user_chose() {
        assert_eq!(painting_threads(None), Some("0"));
        assert_eq!(painting_threads(Some(OsStr::new("2"))), None);
        assert_eq!(painting_threads(Some(OsStr::new(""))), None);
    }
}
