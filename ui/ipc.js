/**
 * The page's IPC contract: the one place it names the backend's commands and events.
 * contract.test.js checks these against the Rust side (the `#[tauri::command]` functions,
 * `generate_handler!`, build.rs, the capability's `allow-…` permissions and every emit), so a
 * name changed on one side only fails `node --test ui/` instead of failing silently at run time.
 */

/** The app's own commands (`#[tauri::command]` in src-tauri/commands.rs). */
export const COMMANDS = Object.freeze({
  status: 'get_status',
  startDemo: 'start_demo',
  saveAccount: 'save_account',
  checkConnection: 'check_connection',
  signOut: 'sign_out',
  savePreferences: 'save_preferences',
  agents: 'list_agents',
  callerIds: 'list_caller_ids',
  preview: 'preview_number',
  dial: 'dial',
  linkState: 'link_state',
  confirmLink: 'confirm_link',
  dismissLink: 'dismiss_link',
  handlerStatus: 'handler_status',
  handlerInstall: 'handler_install',
  handlerSelfTest: 'handler_self_test',
  autostart: 'autostart',
  setAutostart: 'set_autostart',
  findNumbers: 'find_numbers',
  calls: 'calls',
  hangUp: 'hang_up',
  history: 'history',
  setAvailability: 'set_availability',
  exportHistory: 'export_history',
  historyStamp: 'history_stamp',
  setHistoryOpen: 'set_history_open',
  playRecording: 'play_recording',
  setMe: 'set_me',
  keepDraft: 'keep_draft',
  checkShortcut: 'check_shortcut',
  wrapUp: 'wrap_up',
  setDispositions: 'set_dispositions',
  colleagueBeforeDial: 'colleague_before_dial',
  browserPolicy: 'browser_policy',
  retryHandoff: 'retry_handoff',
  previewAfterCall: 'preview_after_call',
});

/** Events the Rust side emits to the page (its `*_EVENT` constants). */
export const EVENTS = Object.freeze({
  linksChanged: 'links-changed',
  picksChanged: 'picks-changed',
  windowShown: 'window-shown',
  callsChanged: 'calls-changed',
  notice: 'notice',
  followError: 'follow-error',
});

/**
 * Tauri's own plugin commands the page calls. They are granted by `core:…` permissions in the
 * capability rather than the app's `allow-…` ones, hence a list of their own.
 */
export const PLUGIN_COMMANDS = Object.freeze({
  listen: 'plugin:event|listen',
  saveDialog: 'plugin:dialog|save',
});
