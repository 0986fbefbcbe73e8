// A small W3C WebDriver client on Node's fetch, enough to drive the Clickdial window through
// tauri-driver + WebKitWebDriver. No npm dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** What every end-to-end test drives: the repository, the app binary and the drivers. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const app = process.env.CLICKDIAL_APP || join(root, 'target', 'debug', 'clickdial');
export const driverBin = process.env.TAURI_DRIVER || 'tauri-driver';
export const nativeDriver = existsSync('/usr/bin/WebKitWebDriver') ? '/usr/bin/WebKitWebDriver' : undefined;

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The app's settings file in the run's data folder (scripts/with-session.sh gives the run a
 * private HOME), where `clickdial_services::data_dir` finds it. */
export const settingsPath = () => join(process.env.XDG_DATA_HOME || join(process.env.HOME, '.local', 'share'), 'in.clickdial.desktop', 'settings.json');

/** Control tokens of the simulators a test started itself (`clickdial sim` prints its own). */
const simTokens = new Map();

/**
 * Starts `clickdial sim` (the demo account on a free port) and waits for its base URL and the
 * control token it prints, which `simFetch` then sends. Returns the child (end it when done)
 * and the URL.
 */
export async function startSim() {
  const child = spawn(app, ['sim', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let url = null;
  for await (const line of createInterface({ input: child.stdout })) {
    const base = /base URL:\s*(\S+)/.exec(line);
    if (base) url = base[1];
    const controls = /controls: .*: (\S+)$/.exec(line);
    if (url && controls) {
      simTokens.set(new URL(url).origin, controls[1]);
      return { child, url };
    }
  }
  throw new Error('clickdial sim printed no base URL or control token');
}

/**
 * `fetch` of a simulator control (`/__sim/…`), with the control token it needs: the one
 * `clickdial sim` printed, or, for the demo's simulator, the one it wrote into the data folder.
 */
export function simFetch(simUrl, path, init = {}) {
  const origin = new URL(simUrl).origin;
  let token = simTokens.get(origin);
  if (!token) {
    const file = join(dirname(settingsPath()), 'demo-simulator.json');
    const demo = JSON.parse(readFileSync(file, 'utf8'));
    if (new URL(demo.url).origin === origin) token = demo.controlToken;
  }
  return fetch(new URL(path, simUrl), { ...init, headers: { ...(init.headers || {}), 'x-sim-control': token || '' } });
}

/**
 * Sets `values` in the app's settings file (camelCase, as the app writes them: `{settings:
 * {version: 2, …}}`), keeping the other settings unless `fresh`; written to a temporary file and
 * renamed over, as the app does. Call it while none of the run's Clickdial processes runs: they
 * write the file under a lock this does not take. They read it when they need a setting (the
 * tray grace, `trayGraceSecs`, at each close of the window), so a value written before a start
 * holds for every close after it.
 */
export function setSettings(values, { fresh = false } = {}) {
  const file = settingsPath();
  let stored = {};
  if (!fresh) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // Missing (or not the app's): start from nothing, as the app would.
    }
  }
  const settings = { version: 2, ...(fresh ? {} : stored.settings), ...values };
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...stored, settings }));
  renameSync(tmp, file);
}

/** Running processes (zombies left out) as {pid, ppid, name}, from /proc. */
export function processes() {
  const all = [];
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') all.push({ pid: Number(p), ppid: Number(ppid), name });
    } catch {
      // Gone meanwhile.
    }
  }
  return all;
}

/**
 * This run's private mark: set in this process's environment when this module loads, so that
 * everything the run starts carries it (tauri-driver, WebKitWebDriver and the app they start, a
 * launch the test makes itself) and so does everything those start in turn (the tray keeper a
 * closing window becomes or starts, a window the keeper starts, WebKit's processes), even once
 * they leave this process's lineage. A fresh one every run, never inherited: a Clickdial the
 * user runs, or another run's, does not carry it.
 */
export const RUN_VAR = 'CLICKDIAL_TEST_RUN';
export const runId = randomUUID();
process.env[RUN_VAR] = runId;

/** This environment without the run's mark: for a process the run starts but does not end as
 * one of its own (it ends it by its pid). */
export function unmarkedEnv(env = process.env) {
  const copy = { ...env };
  delete copy[RUN_VAR];
  return copy;
}

function marked(pid) {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${RUN_VAR}=${runId}`);
  } catch {
    // Gone meanwhile, or another user's.
    return false;
  }
}

/** The pids and every descendant of theirs (by their parent pid, from /proc), parents first. */
export function tree(pids, all = processes()) {
  const found = [...pids];
  for (let i = 0; i < found.length; i += 1) {
    for (const p of all) if (p.ppid === found[i] && !found.includes(p.pid)) found.push(p.pid);
  }
  return found;
}

/**
 * This run's processes, as `processes()` gives them: every process but this one that carries
 * the run's mark, and their descendants. Never found by name: a Clickdial running beside the run
 * (the user's, another run's) is not among them.
 */
export function ours() {
  const all = processes();
  const pids = new Set(tree(all.filter((p) => p.pid !== process.pid && marked(p.pid)).map((p) => p.pid), all));
  return all.filter((p) => pids.has(p.pid));
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(what, fn, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

export async function startDriver({ driver, nativeDriver }) {
  const port = await freePort();
  const nativePort = await freePort();
  const args = ['--port', String(port), '--native-port', String(nativePort)];
  if (nativeDriver) args.push('--native-driver', nativeDriver);
  // The app's own stdout/stderr arrive here too: kept, so a test can check what it logged.
  // Its own process group, so stop() ends the driver, WebKitWebDriver and the app together.
  const proc = spawn(driver, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = [];
  for (const stream of [proc.stdout, proc.stderr]) {
    stream.on('data', (chunk) => {
      output.push(chunk.toString());
      process.stderr.write(chunk);
    });
  }
  const base = `http://127.0.0.1:${port}`;
  await waitFor('tauri-driver to listen', async () => (await fetch(`${base}/status`)).ok, 20000);
  return {
    base,
    logs: () => output.join(''),
    stop: () => stopGroup(proc),
  };
}

const groupAlive = (pgid) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Ends tauri-driver and everything it started, and waits until they are gone. Closing the
 * session is not enough: the app hides to the tray when its window closes, and WebKitWebDriver
 * stops it only some time later. An app left running would take over the next test's links (a
 * single-instance app hands over and exits) and keep this test file's pipes open.
 */
async function stopGroup(proc) {
  const signal = (sig) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  const end = Date.now() + 5000;
  while (groupAlive(proc.pid) && Date.now() < end) await sleep(50);
  if (groupAlive(proc.pid)) signal('SIGKILL');
  while (groupAlive(proc.pid)) await sleep(50);
  proc.stdout.destroy();
  proc.stderr.destroy();
}

// No WebDriver command takes this long unless the app is stuck: fail with the command's name
// instead of waiting for the whole file's timeout.
const COMMAND_TIMEOUT_MS = 60000;

async function request(method, url, body) {
  let res;
  try {
    res = await fetch(url, {
      method,
      signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new Error(`${method} ${url}: ${e.message}`);
  }
  const json = await res.json();
  if (!res.ok || (json.value && json.value.error)) {
    throw new Error(`${method} ${url}: ${JSON.stringify(json.value)}`);
  }
  return json.value;
}

/** Starts the app; `args` are its command-line arguments (a `tel:` link, for a cold start). */
export async function newSession(base, application, args = []) {
  const value = await request('POST', `${base}/session`, {
    capabilities: { alwaysMatch: { browserName: 'wry', 'tauri:options': { application, args } } },
  });
  const s = `${base}/session/${value.sessionId}`;
  const session = {
    async find(css) {
      const v = await request('POST', `${s}/element`, { using: 'css selector', value: css });
      return v[ELEMENT];
    },
    async click(css) {
      const id = await session.find(css);
      await request('POST', `${s}/element/${id}/click`, {});
    },
    async type(css, text) {
      const id = await session.find(css);
      await request('POST', `${s}/element/${id}/value`, { text });
    },
    async text(css) {
      const id = await session.find(css);
      return request('GET', `${s}/element/${id}/text`);
    },
    /** Sends keys to the element that has focus (WebDriver key codes: Enter \uE007, Esc \uE00C). */
    async keys(text) {
      const active = await request('GET', `${s}/element/active`);
      await request('POST', `${s}/element/${active[ELEMENT]}/value`, { text });
    },
    /** The windows WebDriver can drive (a window closed to the tray is gone from here). */
    async windows() {
      return request('GET', `${s}/window/handles`);
    },
    async switchTo(handle) {
      await request('POST', `${s}/window`, { handle });
    },
    /** The window's size; `at` ({x, y}) moves it too (a window grown past the screen's edge
     * is cut off in the X server's screenshot). */
    async setRect(width, height, at = null) {
      return request('POST', `${s}/window/rect`, { width, height, ...(at || {}) });
    },
    async run(script, args = []) {
      return request('POST', `${s}/execute/sync`, { script, args });
    },
    async source() {
      return request('GET', `${s}/source`);
    },
    /** The window's pixels, from the X server (tests/e2e/window-shot.py says why). */
    async screenshot() {
      const file = join(tmpdir(), `clickdial-shot-${process.pid}-${Date.now()}.png`);
      const r = spawnSync('python3', [join(root, 'tests', 'e2e', 'window-shot.py'), 'Clickdial', file], { timeout: 20000 });
      if (r.status !== 0) throw new Error(`screenshot: ${String(r.stderr) || r.error}`);
      const png = readFileSync(file);
      rmSync(file);
      return png;
    },
    async close() {
      await request('DELETE', s).catch(() => {});
    },
  };
  return session;
}
