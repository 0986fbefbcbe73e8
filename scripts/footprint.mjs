// The measuring half of scripts/bench-footprint.sh (run there, inside a private D-Bus session
// under Xvfb). Prints issue 10's footprint table: Clickdial beside a bare Tauri app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  driverBin, nativeDriver, newSession, ours, processes, root, setSettings, sleep, startDriver, tree, unmarkedEnv,
  waitFor,
} from '../tests/e2e/webdriver.js';

const clickdial = process.env.CLICKDIAL_APP;
const bare = process.env.BARE_APP;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Proportional set size of the process tree, in bytes. */
function pss(pid) {
  let kb = 0;
  // The process and every descendant (the WebKit web and network processes).
  for (const p of tree([pid])) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // Gone meanwhile.
    }
  }
  return kb * 1024;
}

/** Every Clickdial process this run started, directly or not (the window, or the tray keeper it
 * hands over to when closed): those carrying the run's private mark (webdriver.js's `ours`). A
 * Clickdial running beside the run (the user's, another run's) is neither measured nor ended. */
const clickdialPids = () => ours().filter((p) => p.name.startsWith('clickdial')).map((p) => p.pid);

async function idleMemory(app, title, hide) {
  const proc = spawn(app, [], { stdio: 'ignore' });
  await sleep(6000);
  const shown = pss(proc.pid);
  let hidden = null;
  if (hide) {
    const r = spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), title]);
    if (r.status === 0) {
      await sleep(5000);
      // Closed, the window process hands over to the keeper and ends: whatever is left.
      hidden = clickdialPids().reduce((sum, pid) => sum + pss(pid), 0);
    }
  }
  for (const p of [...tree([proc.pid]).reverse(), ...(hide ? clickdialPids() : [])]) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await sleep(500);
  return { shown, hidden };
}

/** Milliseconds from `t0` (epoch) to the page's ready point, read in the page. */
const readyAt = (session, mark) => session.run(`const m = ${mark}; return m ? performance.timeOrigin + m : null;`);
const clickdialMark = "(performance.getEntriesByName('clickdial-interactive')[0] || {}).startTime";
const bareMark = "(performance.getEntriesByType('navigation')[0] || {}).loadEventEnd";

/** One start: milliseconds from the launch to the page ready, and of it the page's own part
 * (its navigation start → ready). */
async function startOnce(app, mark) {
  // Closed by WebDriver after, the window stays: no keeper starts (the settings' tray grace,
  // read at the close; written while no Clickdial runs, the account's settings kept).
  if (app === clickdial) setSettings({ trayGraceSecs: 600 });
  const driver = await startDriver({ driver: driverBin, nativeDriver });
  const t0 = Date.now();
  const session = await newSession(driver.base, app);
  const at = await waitFor('the page to be ready', () => readyAt(session, mark), 20000);
  const page = await session.run(`return ${mark};`);
  await session.close();
  await driver.stop();
  await noClickdial();
  return { total: at - t0, page };
}

/** Ends every Clickdial process this run started, a tray keeper started by a closing window
 * included: a keeper left running would answer the next start, which would then time a reopen. */
async function noClickdial() {
  await waitFor('no Clickdial left', () => {
    const left = clickdialPids();
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    return left.length === 0;
  }, 10000);
  await sleep(300);
}

/** Median start time over 5 starts. */
async function startTimes(app, mark) {
  const times = [];
  for (let i = 0; i < 5; i += 1) times.push((await startOnce(app, mark)).total);
  return median(times);
}

/** Clickdial and the bare app started in turn, 7 times each, so that both meet the same
 * machine (a busy moment would otherwise weigh on one app only): the medians. */
async function startsSideBySide() {
  const mine = { total: [], page: [] };
  const theirs = { total: [], page: [] };
  for (let i = 0; i < 7; i += 1) {
    for (const [app, mark, into] of [[clickdial, clickdialMark, mine], [bare, bareMark, theirs]]) {
      const { total, page } = await startOnce(app, mark);
      into.total.push(total);
      into.page.push(page);
    }
  }
  const m = (x) => ({ total: median(x.total), page: median(x.page) });
  return { mine: m(mine), theirs: m(theirs) };
}

/** Closed to the tray and reopened within the grace period (the app process still runs): a
 * second launch → the rebuilt window's page ready. */
async function reopenWarmTimes(app) {
  setSettings({ trayGraceSecs: 600 });
  const times = [];
  const driver = await startDriver({ driver: driverBin, nativeDriver });
  const session = await newSession(driver.base, app);
  await waitFor('the page to be ready', () => readyAt(session, clickdialMark), 20000);
  for (let i = 0; i < 5; i += 1) {
    spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']);
    await waitFor('the window to close', async () => (await session.windows()).length === 0);
    await sleep(1000);
    const t0 = Date.now();
    spawnSync(app, [], { stdio: 'ignore' });
    const [handle] = await waitFor('the window', async () => {
      const h = await session.windows();
      return h.length === 1 && h;
    });
    await session.switchTo(handle);
    const at = await waitFor('the page to be ready', () => readyAt(session, clickdialMark), 20000);
    times.push(at - t0);
  }
  await session.close();
  await driver.stop();
  return median(times);
}

/** Closed to the tray past the grace period, then a second launch: until the page of the
 * window it became is ready (the launch takes over from the tray keeper). */
async function reopenTimes(app) {
  // The tray keeper takes over as soon as the window closes.
  await noClickdial();
  setSettings({ trayGraceSecs: 0 });
  const times = [];
  const driver = await startDriver({ driver: driverBin, nativeDriver });
  let session = await newSession(driver.base, app);
  await waitFor('the page to be ready', () => readyAt(session, clickdialMark), 20000);
  for (let i = 0; i < 5; i += 1) {
    spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), 'Clickdial']);
    await waitFor('only the keeper', () => {
      const names = ours().filter((p) => p.name.startsWith('clickdial')).map((p) => p.name);
      return names.length === 1 && names[0] === 'clickdial';
    });
    await session.close();
    await sleep(1000);
    const t0 = Date.now();
    session = await newSession(driver.base, app);
    const at = await waitFor('the page to be ready', () => readyAt(session, clickdialMark), 20000);
    times.push(at - t0);
  }
  await session.close();
  await driver.stop();
  for (const pid of clickdialPids()) process.kill(pid, 'SIGKILL');
  return median(times);
}

/** With an account set up, as an agent's day begins (the simulator's demo account, run by
 * `clickdial sim`, port 0, signed in through `clickdial login`; signed out after): the start
 * time, and the idle memory with the dial screen shown. */
async function withAccount(app) {
  // Without the run's mark: not one of the app processes ended between starts (ended below, by
  // its pid).
  const sim = spawn(app, ['sim'], { stdio: ['ignore', 'pipe', 'ignore'], env: unmarkedEnv() });
  let out = '';
  sim.stdout.on('data', (d) => { out += d; });
  const base = await waitFor('the simulator', () => /base URL: (\S+)/.exec(out)?.[1], 10000);
  const token = /token:\s+(\S+)/.exec(out)[1];
  const login = spawnSync(app, ['login', '--base-url', base, '--token-stdin'], { input: `${token}\n` });
  if (login.status !== 0) throw new Error(`clickdial login: ${login.stderr}`);
  try {
    const start = await startTimes(app, clickdialMark);
    const { shown } = await idleMemory(app, 'Clickdial', false);
    return { start, shown };
  } finally {
    spawnSync(app, ['logout'], { stdio: 'ignore' });
    sim.kill();
  }
}

function runTimes(args) {
  const times = [];
  for (let i = 0; i < 20; i += 1) {
    const t0 = performance.now();
    spawnSync(clickdial, args, { stdio: 'ignore' });
    times.push(performance.now() - t0);
  }
  return median(times);
}

function debSize() {
  const dir = join(root, 'target', 'release', 'bundle', 'deb');
  const deb = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.deb')) : null;
  return deb ? `${(statSync(join(dir, deb)).size / 1048576).toFixed(1)} MiB` : 'not built (scripts/check-package.sh --release)';
}

/** Processes outside this run that map WebKit or Mesa's LLVM (an app or an Xvfb left over from
 * another run; on a desktop session, the compositor and the browser): PSS divides shared pages
 * among every process that maps them, so these make the memory figures low. This run's own
 * Xvfb (started by the same `xvfb-run`, or on `DISPLAY`'s number) shares LLVM alike in every
 * run and is not counted. Processes whose maps cannot be read (another user's) are skipped. */
function strangers() {
  const display = /:(\d+)/.exec(process.env.DISPLAY ?? '')?.[1];
  return processes().filter((p) => {
    try {
      if (p.name === 'Xvfb') {
        const args = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
        if (p.ppid === process.ppid || args.includes(`:${display}`)) return false;
      }
      return /libwebkit2gtk|libLLVM/.test(readFileSync(`/proc/${p.pid}/maps`, 'utf8'));
    } catch {
      return false;
    }
  });
}

const sharing = strangers();
if (sharing.length) {
  console.log(`WARNING: the memory figures below may be low: ${sharing.map((p) => `${p.name} (${p.pid})`).join(', ')} `
    + 'share their libraries. For figures to compare, run where nothing else uses WebKit or Mesa.');
}
// The tray keeper takes over as soon as the window closes (the grace period is measured apart):
// the settings file of this run's private data folder (scripts/with-session.sh) says so.
spawnSync(clickdial, ['logout'], { stdio: 'ignore' });
setSettings({ trayGraceSecs: 0 });
const mine = await idleMemory(clickdial, 'Clickdial', true);
const theirs = await idleMemory(bare, 'Bare', false);
const starts = await startsSideBySide();
const reopenWarm = await reopenWarmTimes(clickdial);
const reopen = await reopenTimes(clickdial);
const account = await withAccount(clickdial);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
const help = runTimes(['--help']);
const normalize = runTimes(['normalize', '98765 43210']);

const rows = [
  ['figure', 'Clickdial', 'bare Tauri app', 'goal (issue 10)'],
  ['idle PSS, window shown (app + WebKit processes)', mb(mine.shown), mb(theirs.shown), '≤ 200 MB'],
  ['… the same with an account set up: the dial screen (the simulator\'s account)', mb(account.shown), '—', '—'],
  ['idle PSS, hidden in the tray', mine.hidden === null ? 'could not hide' : mb(mine.hidden), '—', '≤ 60 MB'],
  ['start → page ready (WebDriver, median of 7, the two apps in turn)', s(starts.mine.total), s(starts.theirs.total), '≤ 0.55 s'],
  ['… of which the page: its navigation start → ready', `${starts.mine.page.toFixed(0)} ms`, `${starts.theirs.page.toFixed(0)} ms`, '—'],
  ['reopen from the tray within the grace period → page ready (median of 5)', s(reopenWarm), '—', '≤ 0.55 s'],
  ['reopen from the tray keeper → page ready (median of 5)', s(reopen), '—', '≤ 0.55 s'],
  ['start with an account set up (the simulator) → page ready (median of 5)', s(account.start), '—', '—'],
  ['release binary, stripped: the app (clickdial-window)', mb(statSync(join(dirname(clickdial), 'clickdial-window')).size), mb(statSync(bare).size), '≤ 9 MB'],
  ['… and the command line and tray keeper (clickdial)', mb(statSync(clickdial).size), '—', '—'],
  ['.deb', debSize(), '—', '≤ 4 MB'],
  ['`clickdial --help` (median of 20)', `${help.toFixed(0)} ms`, '—', '≤ 15 ms'],
  ['`clickdial normalize` (median of 20)', `${normalize.toFixed(0)} ms`, '—', '≤ 30 ms'],
];
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
