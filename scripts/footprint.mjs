// The measuring half of scripts/bench-footprint.sh (run there, inside a private D-Bus session
// under Xvfb). Prints issue 10's footprint table: Clickdial beside a bare Tauri app.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

import {
  driverBin, nativeDriver, newSession, root, sleep, startDriver, waitFor,
} from '../tests/e2e/webdriver.js';

const clickdial = process.env.CLICKDIAL_APP;
const bare = process.env.BARE_APP;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;

/** The process and every descendant (the WebKit web and network processes). */
function tree(pid) {
  const parents = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parents.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) {
    for (const [child, parent] of parents) if (parent === all[i]) all.push(child);
  }
  return all;
}

/** Proportional set size of the process tree, in bytes. */
function pss(pid) {
  let kb = 0;
  for (const p of tree(pid)) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch {
      // Gone meanwhile.
    }
  }
  return kb * 1024;
}

async function idleMemory(app, title, hide) {
  const proc = spawn(app, [], { stdio: 'ignore' });
  await sleep(6000);
  const shown = pss(proc.pid);
  let hidden = null;
  if (hide) {
    const r = spawnSync('python3', [join(root, 'tests', 'e2e', 'wm-close.py'), title]);
    if (r.status === 0) {
      await sleep(5000);
      hidden = pss(proc.pid);
    }
  }
  for (const p of tree(proc.pid).reverse()) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await sleep(500);
  return { shown, hidden };
}

async function startToText(app, ready) {
  const times = [];
  for (let i = 0; i < 5; i += 1) {
    const driver = await startDriver({ driver: driverBin, nativeDriver });
    const t0 = performance.now();
    const session = await newSession(driver.base, app);
    await waitFor('the page text', () => session.run(ready), 20000);
    times.push(performance.now() - t0);
    await session.close();
    await driver.stop();
  }
  return median(times);
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

spawnSync(clickdial, ['logout'], { stdio: 'ignore' });
const mine = await idleMemory(clickdial, 'Clickdial', true);
const theirs = await idleMemory(bare, 'Bare', false);
const clickdialReady = "const v = ['view-welcome', 'view-dial'].map((id) => document.getElementById(id)); return v.some((e) => e && !e.hidden && e.innerText.trim().length > 0);";
const bareReady = 'return document.body.innerText.trim().length > 0;';
const startMine = await startToText(clickdial, clickdialReady);
const startTheirs = await startToText(bare, bareReady);
const help = runTimes(['--help']);
const normalize = runTimes(['normalize', '98765 43210']);

const rows = [
  ['figure', 'Clickdial', 'bare Tauri app', 'goal (issue 10)'],
  ['idle PSS, window shown (app + WebKit processes)', mb(mine.shown), mb(theirs.shown), '≤ 200 MB'],
  ['idle PSS, hidden in the tray', mine.hidden === null ? 'could not hide' : mb(mine.hidden), '—', '≤ 60 MB'],
  ['start to page text (WebDriver, median of 5)', `${(startMine / 1000).toFixed(2)} s`, `${(startTheirs / 1000).toFixed(2)} s`, '≤ 0.55 s'],
  ['release binary, stripped: the app (clickdial-window)', mb(statSync(join(dirname(clickdial), 'clickdial-window')).size), mb(statSync(bare).size), '≤ 9 MB'],
  ['… and the command line (clickdial)', mb(statSync(clickdial).size), '—', '—'],
  ['.deb', debSize(), '—', '≤ 4 MB'],
  ['`clickdial --help` (median of 20)', `${help.toFixed(0)} ms`, '—', '≤ 15 ms'],
  ['`clickdial normalize` (median of 20)', `${normalize.toFixed(0)} ms`, '—', '≤ 30 ms'],
];
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
