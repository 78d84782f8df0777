//! The desktop app: a thin Tauri shell over `s3aw-core`. Commands in `commands`, IPC types in `ipc`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod access;
mod commands;
mod links;
pub mod ipc;
mod state;

/// When the process started, for the start-up time `ui_ready` reports.
pub(crate) static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = access::credential_process_main(&args) {
        std::process::exit(code);
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(state::AppState::from_env())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::ui_ready,
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
            links::list_objects,
            links::saved_signers,
            links::signer_info,
            links::presign_links,
            links::test_link,
            links::presign_folder_csv,
            commands::bucket_settings,
            commands::plan_settings,
            commands::generate_external_id,
            commands::copy_text,
            commands::save_handoff,
            access::list_access,
            access::plan_rotate,
            access::rotate_key,
            access::delete_access_key,
            access::plan_revoke,
            access::revoke,
            access::import_key,
            access::select_saved_key,
            access::use_from_aws,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("S3 Access Wizard could not start: {e}");
            std::process::exit(1);
        });
}
