// The app's own commands are listed here so capabilities can grant them one by one
// (tauri-build generates an `allow-<command>` permission for each).
const COMMANDS: &[&str] = &[
    "app_info",
    "ui_ready",
    "list_profiles",
    "connect",
    "list_saved_connections",
    "forget_connection",
    "list_buckets",
    "list_folders",
    "policy_preview",
    "bucket_cors",
    "plan_grant",
    "discard_plan",
    "apply_plan",
    "generate_external_id",
    "copy_text",
    "reveal_secret",
    "copy_secret",
    "save_csv",
    "add_aws_profile",
    "save_handoff",
    "wait_for_key",
    "list_objects",
    "saved_signers",
    "signer_info",
    "presign_links",
    "test_link",
    "presign_folder_csv",
    "bucket_settings",
    "plan_settings",
    "list_access",
    "plan_rotate",
    "rotate_key",
    "delete_access_key",
    "plan_revoke",
    "revoke",
    "import_key",
    "select_saved_key",
    "use_from_aws",
];

fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)))
        .expect("tauri build configuration");
}
