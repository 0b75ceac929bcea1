// `npm start`: build if needed, then run a local Node-RED whose user directory (inside the repo,
// git-ignored) has this package installed and the quick-start example loaded as its flow.
// Environment: CELLSAFE_PORT (default 1880), CELLSAFE_USER_DIR (default .node-red-demo),
// CELLSAFE_RESET=1 (or --reset) reloads the example flow over the demo's saved flow.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const port = Number(process.env.CELLSAFE_PORT || 1880);
const userDir = path.resolve(root, process.env.CELLSAFE_USER_DIR || '.node-red-demo');
const reset = process.argv.includes('--reset') || process.env.CELLSAFE_RESET === '1';
const example = path.join(root, 'examples', '01 - Quick start (simulated).json');

function newestMtime(dir) {
  let newest = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

function buildIfNeeded() {
  const marker = path.join(root, 'dist', 'cli', 'cellsafe.js');
  const stale = !fs.existsSync(marker) ||
    Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'icons'))) > fs.statSync(marker).mtimeMs;
  if (!stale) return;
  console.log('Building CellSafe...');
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

function prepareUserDir() {
  const scopeDir = path.join(userDir, 'node_modules', '@cellsafe');
  fs.mkdirSync(scopeDir, { recursive: true });
  // Installed as a link to this checkout, like `npm install <path>`: rebuilds show up on restart.
  const link = path.join(scopeDir, 'node-red-bms');
  if (!fs.existsSync(link)) fs.symlinkSync(path.relative(scopeDir, root), link, 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({
    name: 'cellsafe-demo', private: true, dependencies: { '@cellsafe/node-red-bms': 'file:..' },
  }, null, 2));
  fs.writeFileSync(path.join(userDir, 'settings.js'), [
    '// Written by scripts/start.js for the local CellSafe demo.',
    'module.exports = {',
    `  uiHost: '127.0.0.1',`,
    `  uiPort: ${port},`,
    `  flowFile: 'flows.json',`,
    '  credentialSecret: false,',
    '  logging: { console: { level: "info", metrics: false, audit: false } },',
    '  editorTheme: { tours: false, projects: { enabled: false } },',
    '};',
    '',
  ].join('\n'));
  const flows = path.join(userDir, 'flows.json');
  if (reset || !fs.existsSync(flows)) fs.copyFileSync(example, flows);
}

buildIfNeeded();
prepareUserDir();
const red = require.resolve('node-red/red.js', { paths: [root] });
const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
  cwd: root, stdio: ['inherit', 'pipe', 'inherit'],
});
let announced = false;
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  if (!announced && /Server now running/.test(String(d))) {
    announced = true;
    console.log(`\nCellSafe demo running. Editor: http://127.0.0.1:${port}/  (Ctrl-C to stop)\n`);
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
