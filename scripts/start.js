// `npm start`: build if needed, then run a local Node-RED whose user directory (inside the repo,
// git-ignored) has this package and @flowfuse/node-red-dashboard installed (both linked from this
// checkout: the dashboard is a dev dependency, so the demo needs no network) and the quick start
// with its dashboard loaded as its flow.
// Environment: CELLSAFE_PORT (default 1880), CELLSAFE_USER_DIR (default .node-red-demo),
// CELLSAFE_RESET=1 (or --reset) reloads the example flow over the demo's saved flow,
// CELLSAFE_DASHBOARD=0 runs the plain quick start without the dashboard, CELLSAFE_SPEED (1…600, default
// 60) sets how much faster than real time the demo's simulated bank and inverter run (the flow's can-bus
// node reads it as ${CELLSAFE_SPEED}).
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { setInterval } = require('node:timers');

const root = path.resolve(__dirname, '..');
const port = Number(process.env.CELLSAFE_PORT || 1880);
const userDir = path.resolve(root, process.env.CELLSAFE_USER_DIR || '.node-red-demo');
const reset = process.argv.includes('--reset') || process.env.CELLSAFE_RESET === '1';
const wantDashboard = process.env.CELLSAFE_DASHBOARD !== '0';
const DEFAULT_SPEED = 60;
const speed = demoSpeed(process.env.CELLSAFE_SPEED);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quickStart = path.join(root, 'examples', '01 - Quick start (simulated).json');
const withDashboard = path.join(root, 'examples', '06 - Dashboard (needs @flowfuse node-red-dashboard).json');
const flowsFile = path.join(userDir, 'flows.json');
const DASHBOARD = '@flowfuse/node-red-dashboard';
const dashboardSource = path.join(root, 'node_modules', DASHBOARD);
const withDashboardFlow = wantDashboard && fs.existsSync(path.join(dashboardSource, 'package.json'));

/** CELLSAFE_SPEED as a number in 1…600; unset or unreadable → the default, with a word why. */
function demoSpeed(text) {
  if (text === undefined || text === '') return DEFAULT_SPEED;
  const value = Number(text);
  if (Number.isFinite(value) && value >= 1 && value <= 600) return value;
  console.warn(`CELLSAFE_SPEED=${text} is not a number from 1 to 600; running at x${DEFAULT_SPEED}`);
  return DEFAULT_SPEED;
}

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
  const stale =
    !fs.existsSync(marker) ||
    Math.max(newestMtime(path.join(root, 'src')), newestMtime(path.join(root, 'icons'))) > fs.statSync(marker).mtimeMs;
  if (!stale) return;
  console.log('Building CellSafe...');
  const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status || 1);
}

function writePackageJson() {
  const link = (dir) => `file:${path.relative(userDir, dir)}`;
  const dependencies = { '@cellsafe/node-red-bms': link(root) };
  if (withDashboardFlow) dependencies[DASHBOARD] = link(dashboardSource);
  const text = JSON.stringify({ name: 'cellsafe-demo', private: true, dependencies }, null, 2);
  const file = path.join(userDir, 'package.json');
  const changed = !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text;
  if (changed) fs.writeFileSync(file, text);
  return changed;
}

function prepareUserDir() {
  const changed = writePackageJson();
  // Both packages are npm links (`file:`) into this checkout: rebuilds show up on restart, and
  // installing them needs no network.
  const link = path.join(userDir, 'node_modules', '@cellsafe', 'node-red-bms');
  if (changed || !fs.existsSync(link) || !fs.existsSync(path.join(userDir, 'node_modules', '.package-lock.json'))) {
    const r = spawnSync(
      npm,
      ['install', '--offline', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', '--no-update-notifier'],
      { cwd: userDir, encoding: 'utf8' },
    );
    if (r.status !== 0) {
      console.error(`Could not link CellSafe into ${userDir}:\n${r.stdout}${r.stderr}`);
      process.exit(1);
    }
  }
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    [
      '// Written by scripts/start.js for the local CellSafe demo.',
      'module.exports = {',
      `  uiHost: '127.0.0.1',`,
      `  uiPort: ${port},`,
      `  flowFile: 'flows.json',`,
      '  credentialSecret: false,',
      '  // bms-rules keeps its charge state, last full charge and balance, own SoC and latches across restarts',
      "  contextStorage: { default: { module: 'memory' }, file: { module: 'localfilesystem' } },",
      '  logging: { console: { level: "info", metrics: false, audit: false } },',
      '  editorTheme: { tours: false, projects: { enabled: false } },',
      '  telemetry: { enabled: false },',
      '};',
      '',
    ].join('\n'),
  );
  if (reset || !fs.existsSync(flowsFile)) fs.copyFileSync(withDashboardFlow ? withDashboard : quickStart, flowsFile);
}

/** The dashboard page URL of the flow in the user directory, if that flow has a dashboard. */
function dashboardUrl() {
  let flow;
  try {
    flow = JSON.parse(fs.readFileSync(flowsFile, 'utf8'));
  } catch {
    return undefined;
  }
  const base = Array.isArray(flow) && flow.find((n) => n.type === 'ui-base');
  if (!base || !withDashboardFlow) return undefined;
  const page = flow.find((n) => n.type === 'ui-page' && n.ui === base.id);
  return `http://127.0.0.1:${port}${base.path}${page ? page.path : ''}`;
}

let red; // the running Node-RED child
function startNodeRed() {
  const script = require.resolve('node-red/red.js', { paths: [root] });
  red = spawn(process.execPath, [script, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], {
    cwd: root,
    env: { ...process.env, CELLSAFE_SPEED: String(speed) },
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  let announced = false;
  red.stdout.on('data', (d) => {
    process.stdout.write(d);
    // After the flows started: the dashboard's page exists only once its ui-base node runs.
    if (!announced && /Started flows/.test(String(d))) {
      announced = true;
      const dash = dashboardUrl();
      console.log(
        `\nCellSafe demo running. Editor: http://127.0.0.1:${port}/` +
          (dash ? `  Dashboard: ${dash}` : '') +
          `  (simulation x${speed}; Ctrl-C to stop)\n`,
      );
    }
  });
  red.on('exit', (code) => process.exit(code ?? 0));
}

fs.mkdirSync(userDir, { recursive: true });
buildIfNeeded();
prepareUserDir();
startNodeRed();
function stop(sig) {
  red.kill(sig);
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => stop(sig));
// `npm start` killed without a signal reaching us (npm does not forward every one): stop too.
// The live parent pid is only readable on Linux (Node's process.ppid is fixed at start).
const parent = process.ppid;
setInterval(() => {
  let ppid = parent;
  try {
    ppid = Number(fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[1]);
  } catch {
    /* not Linux */
  }
  if (ppid !== parent) stop('SIGTERM');
}, 1000).unref();
