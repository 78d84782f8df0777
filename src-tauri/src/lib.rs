//! The desktop app: a thin Tauri shell over `s3aw-core`. Commands in `commands`, IPC types in `ipc`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod commands;
pub mod ipc;
mod state;

pub fn run() {
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state::AppState::from_env())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_profiles,
            commands::connect,
            commands::list_saved_connections,
            commands::forget_connection,
            commands::list_buckets,
            commands::list_folders,
            commands::policy_preview,
            commands::bucket_cors,
            commands::plan_grant,
            commands::apply_plan,
            commands::reveal_secret,
            commands::copy_secret,
            commands::save_csv,
            commands::add_aws_profile,
            commands::wait_for_key,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("S3 Access Wizard could not start: {e}");
            std::process::exit(1);
        });
}
