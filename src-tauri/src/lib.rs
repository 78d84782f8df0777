//! The desktop app: a thin Tauri shell over `s3aw-core`. Commands in `commands`, IPC types in `ipc`.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod access;
mod clipboard;
mod commands;
pub mod ipc;
mod keys;
mod links;
mod platform;
mod recover;
mod settings;
mod share;
mod signin;
mod state;

/// When the process started, for the start-up time `ui_ready` reports.
pub(crate) static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = access::credential_process_main(&args) {
        std::process::exit(code);
    }
    platform::prepare_webview();
    let state = state::AppState::from_env();
    // The app info reaches the page before its scripts run: one call fewer before the first screen.
    let app_info = tauri::plugin::Builder::<tauri::Wry>::new("s3aw-app-info").js_init_script(commands::app_info_script(&commands::app_info(&state))).build();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(app_info)
        .manage(state)
        .invoke_handler(tauri::generate_handler![
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
            commands::read_guide,
            commands::read_recipe,
            commands::discard_plan,
            commands::apply_plan,
            commands::generate_external_id,
            commands::copy_text,
            commands::check_permissions,
            commands::permissions_policy,
            keys::reveal_secret,
            keys::copy_secret,
            keys::save_csv,
            keys::add_aws_profile,
            keys::save_handoff,
            keys::save_kit,
            share::plan_share,
            share::create_share,
            share::extend_share,
            share::save_drop_box,
            share::export_plan_iac,
            share::export_access_iac,
            keys::wait_for_key,
            links::list_objects,
            links::saved_signers,
            links::signer_info,
            links::presign_links,
            links::test_link,
            links::presign_folder_csv,
            settings::bucket_settings,
            settings::plan_settings,
            access::list_access,
            access::access_reminders,
            access::why_denied,
            recover::interrupted_changes,
            recover::plan_recovery,
            recover::run_recovery,
            access::plan_rotate,
            access::rotate_key,
            access::delete_access_key,
            access::plan_revoke,
            access::revoke,
            access::import_key,
            access::select_saved_key,
            access::use_from_aws,
            signin::sign_in_start,
            signin::sign_in_wait,
            signin::sign_in_finish,
            signin::sign_in_cancel,
            signin::sso_roles,
            signin::sso_use_role,
            signin::sign_out,
        ])
        .build(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("S3 Access Wizard could not start: {e}");
            std::process::exit(1);
        })
        .run(|_, event| {
            if let tauri::RunEvent::Exit = event {
                clipboard::close();
            }
        });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn read(rel: &str) -> String {
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
    }

    /// The words between `start` and the next `end`, that look like command names.
    fn names(text: &str, start: &str, end: &str, pick: impl Fn(&str) -> Option<String>) -> BTreeSet<String> {
        let from = text.find(start).unwrap_or_else(|| panic!("{start} not found"));
        let body = &text[from..];
        let body = &body[..body.find(end).unwrap()];
        body.lines().filter_map(|l| pick(l.trim())).collect()
    }

    /// One list of commands, held in four places: the handler (lib.rs), the permissions tauri-build makes
    /// (build.rs), the window's capability, and the UI's backend. A command missing from any of them is
    /// either unreachable or granted without being used.
    #[test]
    fn the_four_command_lists_are_equal() {
        let handler = names(&read("src/lib.rs"), "generate_handler![", "])", |l| l.strip_suffix(',').and_then(|l| l.split("::").nth(1)).map(str::to_string));
        let build = names(&read("build.rs"), "const COMMANDS", "];", |l| l.strip_prefix('"').and_then(|l| l.strip_suffix("\",")).map(str::to_string));
        let cap: serde_json::Value = serde_json::from_str(&read("capabilities/main.json")).unwrap();
        let granted: BTreeSet<String> = cap["permissions"].as_array().unwrap().iter().filter_map(|p| p.as_str()?.strip_prefix("allow-")).map(|p| p.replace('-', "_")).collect();
        let backend = read("../ui/src/backend.ts");
        let mut used = BTreeSet::new();
        for marker in ["call(\"", "call<", "streaming(\""] {
            for (i, _) in backend.match_indices(marker) {
                let rest = &backend[i..];
                // The command's name is the call's first argument, on the same line.
                if let Some(q) = rest.find('"').filter(|&q| !rest[..q].contains(['\n', ';'])) {
                    let name: String = rest[q + 1..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
                    if !name.is_empty() {
                        used.insert(name);
                    }
                }
            }
        }
        assert!(handler.len() > 30, "{handler:?}");
        assert_eq!(build, handler, "build.rs COMMANDS");
        assert_eq!(granted, handler, "capabilities/main.json");
        assert_eq!(used, handler, "ui/src/backend.ts");
        let others: Vec<&str> = cap["permissions"].as_array().unwrap().iter().filter_map(|p| p.as_str()).filter(|p| !p.starts_with("allow-")).collect();
        assert_eq!(others, vec!["core:default"], "the window gets nothing else (no dialog, fs or shell permission)");
    }
}
