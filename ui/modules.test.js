// The page's modules as index.html loads them: native ES modules, no bundler. Each one main.js
// reaches must be preloaded (`modulepreload`), or the window fetches it only once the module
// importing it has arrived and been parsed, one round after another, and starts slower.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const UI = dirname(fileURLToPath(import.meta.url));
const read = (path) => readFileSync(join(UI, path), 'utf8');

/** Every module `entry` imports, directly or not, as paths relative to ui/ (the entry too). */
function reachable(entry) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    assert.ok(existsSync(join(UI, path)), `ui/${path} is imported but missing`);
    const text = read(path);
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
      const spec = m[1] ?? m[2];
      assert.match(spec, /^\.\.?\//, `ui/${path} imports '${spec}': the page has no bundler, only relative paths load`);
      visit(normalize(join(dirname(path), spec)).replaceAll('\\', '/'));
    }
  };
  visit(entry);
  return seen;
}

test('index.html preloads every module main.js loads, and nothing else', () => {
  const html = read('index.html');
  assert.match(html, /<script type="module" src="main\.js"><\/script>/);
  const preloaded = [...html.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  const modules = [...reachable('main.js')].filter((path) => path !== 'main.js').sort();
  assert.deepEqual([...preloaded].sort(), modules);
  assert.equal(new Set(preloaded).size, preloaded.length, 'a module is preloaded twice');
});
