// The app's IPC commands, shared by build.rs (which generates an `allow-*`
// permission for each) and the shell (whose tests check that this list, the
// typed bindings and the capability files agree).
pub const APP_COMMANDS: &[&str] = &[
    "app_info",
    "list_posts",
    "list_unscheduled_drafts",
    "get_post",
    "create_post",
    "update_post",
    "reschedule_post",
    "delete_post",
    "list_accounts",
    "get_settings",
    "save_settings",
];
