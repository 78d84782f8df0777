// The one command the yardstick has: reporting its first screen drawn, as the app does.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(&["ui_ready"]))).expect("tauri build configuration");
}
