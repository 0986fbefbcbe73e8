// The page's line to the backend: Tauri's IPC, as @tauri-apps/api's `core.invoke` and
// `event.listen` call it. The page needs only these two, so the app does not inject that
// package's 41 KB global bundle (`withGlobalTauri`), which every page load would parse and run.
// Every backend call goes through backend.js, by the names in ipc.js.
import { createBackend } from './backend.js';
import { PLUGIN_COMMANDS } from './ipc.js';

const tauri = window.__TAURI_INTERNALS__;
const invoke = (command, args = {}) => tauri.invoke(command, args);

/** Calls `handler` with each `event` the backend emits. */
export const listen = (event, handler) => invoke(PLUGIN_COMMANDS.listen, {
  event, target: { kind: 'Any' }, handler: tauri.transformCallback(handler),
});

export const backend = createBackend(invoke);

// Asked first (this module loads before any screen's), so the backend works on it while the
// page wires itself up; main.js awaits it.
export const firstStatus = backend.status();
