// The app manifest lists the window's commands, so each needs an explicit `allow-…` permission
// in the capability (tauri.conf.json): least privilege instead of "every command allowed".
const COMMANDS: &[&str] = &[
    "get_status",
    "start_demo",
    "save_account",
    "check_connection",
    "sign_out",
    "save_preferences",
    "list_agents",
    "list_caller_ids",
    "preview_number",
    "dial",
    "link_state",
    "confirm_link",
    "dismiss_link",
    "handler_status",
    "handler_install",
    "handler_self_test",
    "autostart",
    "set_autostart",
    "find_numbers",
    "calls",
    "hang_up",
    "history",
    "set_availability",
    "export_history",
    "history_stamp",
    "set_history_open",
    "play_recording",
    "set_me",
    "keep_draft",
    "check_shortcut",
    "wrap_up",
    "set_dispositions",
    "colleague_before_dial",
    "browser_policy",
    "retry_handoff",
    "preview_after_call",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
