// The IPC contract between the page (ipc.js) and the Rust side, read from the sources as text:
// a command or event renamed, added or dropped on one side only fails here, not in the window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as ipc from './ipc.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The window that loads ui/index.html: only capabilities for it grant the page anything.
const PAGE_WINDOW = 'main';

const read = (path) => readFileSync(join(ROOT, path), 'utf8');

function rustFiles(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.rs'))
    .map((e) => relative(ROOT, join(e.parentPath ?? e.path, e.name)).replaceAll('\\', '/'))
    .filter((path) => !path.split('/').includes('target'))
    .sort()
    .map((path) => ({ path, text: read(path) }));
}

function readSources() {
  return {
    commandsRs: read('src-tauri/commands.rs'),
    libRs: read('src-tauri/lib.rs'),
    buildRs: read('src-tauri/build.rs'),
    confText: read('tauri.conf.json'),
    rust: [...rustFiles('src-tauri'), ...rustFiles('crates')],
    ipc: { COMMANDS: ipc.COMMANDS, EVENTS: ipc.EVENTS, PLUGIN_COMMANDS: ipc.PLUGIN_COMMANDS },
  };
}

// ---------------------------------------------------------------------------------------------
// Reading Rust as text: comments blanked first, so a commented-out command or a doc comment
// that mentions `app.emit(…)` counts for nothing.

const STRING = /"(?:[^"\\]|\\.)*"/y;
const RAW_STRING = /b?r(#*)"[\s\S]*?"\1/y;
const CHAR = /'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'\n])'/y;

/** The text with comments replaced by spaces (newlines kept, for line numbers); strings kept. */
function stripRustComments(src) {
  let out = '';
  let i = 0;
  const at = (re) => {
    re.lastIndex = i;
    return re.exec(src);
  };
  while (i < src.length) {
    if (src.startsWith('//', i)) {
      const end = src.indexOf('\n', i);
      i = end === -1 ? src.length : end;
      continue;
    }
    if (src.startsWith('/*', i)) {
      let depth = 1;
      let j = i + 2;
      while (j < src.length && depth) {
        if (src.startsWith('/*', j)) [depth, j] = [depth + 1, j + 2];
        else if (src.startsWith('*/', j)) [depth, j] = [depth - 1, j + 2];
        else j += 1;
      }
      out += src.slice(i, j).replace(/[^\n]/g, ' ');
      i = j;
      continue;
    }
    // An `r` or `b` ending an identifier does not start a raw string.
    const word = /\w/.test(src[i - 1] ?? '');
    const m = (src[i] === '"' && at(STRING))
      || (!word && (src[i] === 'r' || src[i] === 'b') && at(RAW_STRING))
      || (src[i] === "'" && at(CHAR));
    if (m) {
      out += m[0];
      i += m[0].length;
    } else {
      out += src[i];
      i += 1;
    }
  }
  return out;
}

const lineOf = (text, index) => text.slice(0, index).split('\n').length;
const ESCAPES = { n: '\n', r: '\r', t: '\t', 0: '\0', '\\': '\\', '"': '"', "'": "'" };

/** The value of a Rust `"…"` literal: its escapes, and `\` + newline skipping the indent. */
function unquote(literal) {
  return literal.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|\r?\n\s*|.)/g, (_, e) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e[0] === 'u') return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    return /^\s+$/.test(e) ? '' : ESCAPES[e] ?? e;
  });
}

/** The text between the bracket at `open` and its match (Rust with comments stripped). */
function bracketed(text, open) {
  const pairs = { '[': ']', '(': ')', '{': '}' };
  const stack = [];
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') {
      STRING.lastIndex = i;
      i += (STRING.exec(text)?.[0].length ?? 1) - 1;
    } else if (c === "'") {
      CHAR.lastIndex = i;
      const m = CHAR.exec(text);
      if (m) i += m[0].length - 1;
    } else if (pairs[c]) {
      stack.push(pairs[c]);
    } else if (c === stack.at(-1)) {
      stack.pop();
      if (!stack.length) return text.slice(open + 1, i);
    }
  }
  return null;
}

/** Top-level comma-separated items of a bracket's contents, trimmed, empty ones (trailing comma) dropped. */
function splitTopLevel(inner) {
  const items = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i += 1) {
    const c = inner[i];
    if (c === '"') {
      STRING.lastIndex = i;
      i += (STRING.exec(inner)?.[0].length ?? 1) - 1;
    } else if (c === "'") {
      CHAR.lastIndex = i;
      const m = CHAR.exec(inner);
      if (m) i += m[0].length - 1;
    } else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (c === ',' && depth === 0) {
      items.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  items.push(inner.slice(start));
  return items.map((s) => s.trim()).filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// The command lists.

/** Names of the `#[tauri::command]` functions. */
function tauriCommands(rs) {
  const text = stripRustComments(rs);
  const re = /#\[\s*(?:tauri\s*::\s*)?command\b[^\]]*\]\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\s*\([^)]*\))?\s+)?(?:async\s+)?fn\s+(?:r#)?(\w+)/g;
  return [...text.matchAll(re)].map((m) => m[1]);
}

/** Names listed in every `generate_handler![…]`, without their module path. */
function handlerCommands(rs) {
  const text = stripRustComments(rs);
  const names = [];
  for (const m of text.matchAll(/generate_handler\s*!\s*([[({])/g)) {
    const inner = bracketed(text, m.index + m[0].length - 1) ?? '';
    names.push(...splitTopLevel(inner).map((path) => path.split('::').at(-1).trim()));
  }
  return names;
}

/** The string literals of build.rs's `COMMANDS` (the app manifest's commands). */
function manifestCommands(rs) {
  const text = stripRustComments(rs);
  const m = /\b(?:const|static)\s+COMMANDS\s*:[^=]*=\s*&?\s*\[/.exec(text);
  if (!m) return [];
  const inner = bracketed(text, m.index + m[0].length - 1) ?? '';
  return splitTopLevel(inner).map(unquote);
}

const permissionId = (p) => (typeof p === 'string' ? p : p?.identifier ?? '');
const globMatches = (glob, name) =>
  new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(name);

/**
 * The capabilities in tauri.conf.json that apply to the page's window, and the problems of
 * reading them (one only named, to be found in a file, is not read here: say so).
 */
function pageCapabilities(conf) {
  const problems = [];
  const caps = [];
  for (const cap of conf?.app?.security?.capabilities ?? []) {
    if (typeof cap === 'string') {
      problems.push(`tauri.conf.json names capability "${cap}" by identifier; contract.test.js reads only capabilities written in tauri.conf.json`);
    } else if ([...(cap.windows ?? []), ...(cap.webviews ?? [])].some((w) => globMatches(w, PAGE_WINDOW))) {
      caps.push(cap);
    }
  }
  return { caps, problems };
}

/** App commands the page's capabilities allow: `allow-get-status` → `get_status`. */
function permittedCommands(conf) {
  const { caps } = pageCapabilities(conf);
  return caps
    .flatMap((cap) => cap.permissions ?? [])
    .map(permissionId)
    .filter((id) => /^allow-[a-z0-9-]+$/.test(id))
    .map((id) => id.slice('allow-'.length).replaceAll('-', '_'));
}

const toPermission = (command) => `allow-${command.replaceAll('_', '-')}`;

/**
 * Every way the five command lists disagree, as sentences naming the command, where it is and
 * where it is missing. Empty when they agree.
 */
function commandProblems(src) {
  const conf = JSON.parse(src.confText);
  const sources = [
    { where: 'src-tauri/commands.rs (#[tauri::command] fns)', names: tauriCommands(src.commandsRs), fix: (c) => `write #[tauri::command] fn ${c}` },
    { where: 'src-tauri/lib.rs (generate_handler!)', names: handlerCommands(src.libRs), fix: (c) => `add commands::${c} to generate_handler!` },
    { where: 'src-tauri/build.rs (COMMANDS)', names: manifestCommands(src.buildRs), fix: (c) => `add "${c}" to COMMANDS` },
    { where: `tauri.conf.json (capability of window "${PAGE_WINDOW}")`, names: permittedCommands(conf), fix: (c) => `add "${toPermission(c)}" to its permissions` },
    { where: 'ui/ipc.js (COMMANDS)', names: Object.values(src.ipc.COMMANDS), fix: (c) => `add '${c}' to COMMANDS` },
  ];
  const problems = [...pageCapabilities(conf).problems];
  for (const s of sources) {
    // An empty list means the parse no longer fits the file, not that there are no commands.
    if (!s.names.length) problems.push(`found no commands in ${s.where}: has its layout changed? Update contract.test.js`);
    const seen = new Set();
    for (const n of s.names) {
      if (seen.has(n)) problems.push(`"${n}" is listed twice in ${s.where}`);
      seen.add(n);
    }
    s.set = seen;
  }
  const all = [...new Set(sources.flatMap((s) => [...s.set]))].sort();
  for (const name of all) {
    const missing = sources.filter((s) => !s.set.has(name));
    if (!missing.length) continue;
    const present = sources.filter((s) => s.set.has(name)).map((s) => s.where);
    const fixes = missing.map((s) => `  - missing from ${s.where}: ${s.fix(name)}`);
    problems.push([`command "${name}" is in ${present.join(', ')}, but:`, ...fixes].join('\n'));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Events.

// Tauri's `Emitter` methods, and which argument is the event name.
const EMITS = { emit: 0, emit_str: 0, emit_filter: 0, emit_str_filter: 0, emit_to: 1, emit_str_to: 1 };

/**
 * The event names the Rust files emit, each with where (`path:line`), and the emits whose
 * event name is neither a string literal nor a `&str` constant (which this test cannot check).
 */
function emittedEvents(files) {
  const stripped = files.map((f) => ({ ...f, text: stripRustComments(f.text) }));
  const consts = new Map();
  for (const f of stripped) {
    const re = /\b(?:const|static)\s+([A-Z_][A-Z0-9_]*)\s*:\s*&\s*(?:'static\s+)?str\s*=\s*("(?:[^"\\]|\\.)*")\s*;/g;
    for (const m of f.text.matchAll(re)) {
      if (!consts.has(m[1])) consts.set(m[1], new Set());
      consts.get(m[1]).add(unquote(m[2]));
    }
  }
  const events = new Map();
  const unresolved = [];
  for (const f of stripped) {
    for (const m of f.text.matchAll(/\.\s*(emit(?:_str)?(?:_to|_filter)?)\s*(?:::\s*<[^>]*>\s*)?\(/g)) {
      if (!(m[1] in EMITS)) continue;
      const where = `${f.path}:${lineOf(f.text, m.index)}`;
      const arg = splitTopLevel(bracketed(f.text, m.index + m[0].length - 1) ?? '')[EMITS[m[1]]] ?? '';
      const expr = arg.replace(/^&\s*/, '');
      let name = null;
      if (/^"(?:[^"\\]|\\.)*"$/.test(expr)) name = unquote(expr);
      else if (/^(?:\w+\s*::\s*)*[A-Z_][A-Z0-9_]*$/.test(expr)) {
        const values = consts.get(expr.split('::').at(-1).trim());
        if (values?.size === 1) [name] = values;
      }
      if (name === null) {
        unresolved.push(`${where}: .${m[1]}(…) names its event by \`${arg}\`; use a string literal or a &str constant so contract.test.js can check it`);
        continue;
      }
      if (!events.has(name)) events.set(name, []);
      events.get(name).push(where);
    }
  }
  return { events, unresolved };
}

/** Every way the emitted events and ipc.js's EVENTS disagree. Empty when they agree. */
function eventProblems(src) {
  const { events, unresolved } = emittedEvents(src.rust);
  const problems = [...unresolved];
  if (!events.size) problems.push('found no .emit(…) in src-tauri/ or crates/: has the layout changed? Update contract.test.js');
  const listened = Object.values(src.ipc.EVENTS);
  for (const [name, where] of [...events].sort()) {
    if (!listened.includes(name)) {
      problems.push(`event "${name}" is emitted at ${where.join(', ')} but missing from EVENTS in ui/ipc.js`);
    }
  }
  for (const [key, name] of Object.entries(src.ipc.EVENTS)) {
    if (!events.has(name)) {
      problems.push(`EVENTS.${key} = '${name}' in ui/ipc.js is never emitted by src-tauri/ or crates/ (renamed or dropped there?)`);
    }
  }
  if (new Set(listened).size !== listened.length) problems.push('ui/ipc.js: two EVENTS entries name the same event');
  return problems;
}

/** Tauri plugin commands the page calls without a permission granting them. */
function pluginProblems(src) {
  const { caps } = pageCapabilities(JSON.parse(src.confText));
  const granted = new Set(caps.flatMap((cap) => cap.permissions ?? []).map(permissionId));
  const problems = [];
  for (const [key, command] of Object.entries(src.ipc.PLUGIN_COMMANDS)) {
    const m = /^plugin:([\w-]+)\|([\w-]+)$/.exec(command);
    if (!m) {
      problems.push(`PLUGIN_COMMANDS.${key} = '${command}' in ui/ipc.js is not of the form plugin:<plugin>|<command>`);
      continue;
    }
    const [, plugin, cmd] = m;
    const allow = `allow-${cmd.replaceAll('_', '-')}`;
    // Tauri's core plugins are prefixed `core:`; a set's `default` may include the command.
    const grants = [`core:${plugin}:${allow}`, `${plugin}:${allow}`, `core:${plugin}:default`, `${plugin}:default`, 'core:default'];
    if (!grants.some((g) => granted.has(g))) {
      problems.push(`PLUGIN_COMMANDS.${key} = '${command}' in ui/ipc.js is not granted to window "${PAGE_WINDOW}" in tauri.conf.json: add "${grants[0]}" (or "${grants[1]}" for a non-core plugin)`);
    }
  }
  return problems;
}

const report = (problems) => `the IPC contract is broken:\n${problems.map((p) => `* ${p}`).join('\n')}`;

// ---------------------------------------------------------------------------------------------

test('every command is named alike in commands.rs, generate_handler!, build.rs, the capability and ipc.js', () => {
  const problems = commandProblems(readSources());
  assert.ok(problems.length === 0, report(problems));
});

test('every event Rust emits is in EVENTS, and every EVENTS entry is emitted', () => {
  const problems = eventProblems(readSources());
  assert.ok(problems.length === 0, report(problems));
});

test("the plugin commands the page calls are granted to the page's window", () => {
  const problems = pluginProblems(readSources());
  assert.ok(problems.length === 0, report(problems));
});

/** The page's own scripts: every .js file under ui/, but the tests and ipc.js itself. */
function pageScripts() {
  return readdirSync(join(ROOT, 'ui'), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js') && !e.name.endsWith('.test.js'))
    .map((e) => relative(join(ROOT, 'ui'), join(e.parentPath ?? e.path, e.name)).replaceAll('\\', '/'))
    .filter((path) => path !== 'ipc.js')
    .sort();
}

test('the page names commands and events only through ipc.js', () => {
  const files = pageScripts();
  for (const file of ['backend.js', 'main.js']) assert.ok(files.includes(file), `ui/${file} is not scanned`);
  for (const file of files) {
    const text = read(`ui/${file}`);
    // The page's three IPC entry points; a literal first argument bypasses ipc.js.
    const literal = [...text.matchAll(/\b(?:invoke|listen|call)\(\s*(['"`][^'"`]*['"`])/g)];
    assert.deepEqual(literal.map((m) => `ui/${file}:${lineOf(text, m.index)}: ${m[0]}`), []);
  }
});

// The checks themselves must be able to fail: a contract broken on purpose, one side at a time.
test('a command, event or permission on one side only is reported, naming where it is missing', () => {
  const src = readSources();
  const withIpc = (change) => ({ ...src, ipc: { ...src.ipc, ...change } });

  const extraCommand = commandProblems(withIpc({ COMMANDS: { ...src.ipc.COMMANDS, fake: 'fake_command' } }));
  assert.equal(extraCommand.length, 1, extraCommand.join('\n'));
  assert.match(extraCommand[0], /command "fake_command" is in ui\/ipc\.js/);
  assert.match(extraCommand[0], /missing from src-tauri\/lib\.rs \(generate_handler!\): add commands::fake_command/);
  assert.match(extraCommand[0], /missing from tauri\.conf\.json .*"allow-fake-command"/);

  const conf = JSON.parse(src.confText);
  const perms = conf.app.security.capabilities[0].permissions;
  perms.splice(perms.indexOf('allow-keep-draft'), 1);
  const noPermission = commandProblems({ ...src, confText: JSON.stringify(conf) });
  assert.match(noPermission.join('\n'), /command "keep_draft" .*\n {2}- missing from tauri\.conf\.json .*"allow-keep-draft"/);
  perms.splice(perms.indexOf('core:event:allow-listen'), 1);
  assert.match(pluginProblems({ ...src, confText: JSON.stringify(conf) }).join('\n'), /'plugin:event\|listen' .*not granted/);

  const commented = `${src.commandsRs}\n// #[tauri::command]\n// pub fn not_a_command() {}\n/* #[tauri::command] fn nor_this() {} */\n`;
  assert.deepEqual(commandProblems({ ...src, commandsRs: commented }), []);

  const { notice, ...fewerEvents } = src.ipc.EVENTS;
  assert.ok(notice);
  assert.match(eventProblems(withIpc({ EVENTS: fewerEvents })).join('\n'), /event "notice" is emitted at src-tauri\/events\.rs:\d+ but missing from EVENTS/);
  assert.match(eventProblems(withIpc({ EVENTS: { ...src.ipc.EVENTS, ghost: 'ghost-event' } })).join('\n'), /EVENTS\.ghost = 'ghost-event' .* never emitted/);

  const literal = { path: 'src-tauri/extra.rs', text: 'fn f(app: &AppHandle) {\n  let _ = app.emit_to(\n    "main",\n    "literal-event", // a comment, ()\n    (),\n  );\n}\n' };
  assert.deepEqual(eventProblems({ ...src, rust: [...src.rust, literal] }), [
    'event "literal-event" is emitted at src-tauri/extra.rs:2 but missing from EVENTS in ui/ipc.js',
  ]);
  const variable = { path: 'src-tauri/extra.rs', text: 'fn f(app: &AppHandle, name: &str) { let _ = app.emit(name, ()); }' };
  assert.match(eventProblems({ ...src, rust: [...src.rust, variable] }).join('\n'), /src-tauri\/extra\.rs:1: \.emit\(…\) names its event by `name`/);
});
