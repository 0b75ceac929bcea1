/**
 * The published package: `npm pack` of a clean tree (the prepack build makes dist/), what the tarball
 * holds, and a user's install of it with npm install scripts ignored: the library entry works exactly
 * as the sources do, serialport runs from its prebuilt binary, and the README's library examples run.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkInstalledPackage, expectedFromSources, libraryInput } from '../helpers/installed-package';
import { freshProject, packPackage, run, userEnv, type PackedPackage } from '../helpers/package-tarball';
import { createPtyPair, socatAvailable, type PtyPair } from '../helpers/pty';
import { EXAMPLES_DIR, REPO_ROOT } from '../helpers/fixtures';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The README's "Use as a library" examples: each js block and the text block that says what it prints. */
function readmeExamples(): Array<{ code: string; prints: string }> {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use as a library');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  return [...section.matchAll(/```js\n([\s\S]*?)```[\s\S]*?```text\n([\s\S]*?)```/g)].map((m) => ({
    code: m[1],
    prints: m[2],
  }));
}

describe('npm package', function () {
  this.timeout(300_000);
  let packed: PackedPackage;
  let installDir: string;
  let pty: PtyPair | undefined;

  before(async () => {
    packed = await packPackage();
    installDir = freshProject('cellsafe-lib-');
    const started = Date.now();
    const installed = await run(
      'npm',
      ['install', packed.tarball, '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
      { cwd: installDir },
    );
    assert.equal(installed.code, 0, installed.stderr);
    console.log(
      `    packed in ${seconds(packed.packMs)}, installed with --ignore-scripts in ${seconds(Date.now() - started)}`,
    );
    if (socatAvailable()) pty = await createPtyPair();
  });

  after(async () => {
    await pty?.stop();
    if (installDir) fs.rmSync(installDir, { recursive: true, force: true });
  });

  it('ships dist with the library entry and its types, examples, README and LICENSE; no tests, fixtures, bench or sources', () => {
    const files = packed.files;
    for (const needed of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'LICENSE', 'package.json']) {
      assert.ok(files.includes(needed), `${needed} in the tarball`);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
      main: string;
      types: string;
      bin: Record<string, string>;
      'node-red': { nodes: Record<string, string> };
    };
    for (const entry of [pkg.main, pkg.types, ...Object.values(pkg.bin), ...Object.values(pkg['node-red'].nodes)]) {
      assert.ok(files.includes(entry), `${entry} (named in package.json) in the tarball`);
    }
    for (const node of Object.values(pkg['node-red'].nodes)) {
      const html = node.replace(/\.js$/, '.html');
      assert.ok(files.includes(html), `${html}: the editor needs it next to the .js`);
      const locale = path.posix.join(path.posix.dirname(node), 'locales', 'en-US', path.posix.basename(html));
      assert.ok(files.includes(locale), `${locale}: the node help`);
    }
    const examples = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'));
    assert.ok(examples.length > 0);
    for (const example of examples) assert.ok(files.includes(`examples/${example}`), `examples/${example}`);
    const unwanted = files.filter(
      (f) =>
        /^(test|bench|src|scripts|docs|\.ci|test-output|node_modules)\//.test(f) ||
        /fixtures|vectors/.test(f) ||
        /\.map$/.test(f) ||
        (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) ||
        /\.test\./.test(f),
    );
    assert.deepEqual(unwanted, []);
    console.log(
      `    ${files.length} files, ${(packed.size / 1024).toFixed(0)} kB packed, ` +
        `${(packed.unpackedSize / 1024).toFixed(0)} kB unpacked (${path.basename(packed.tarball)})`,
    );
  });

  it('installed with --ignore-scripts: require() decodes, encodes and runs the engine exactly as the sources do', async () => {
    const input = libraryInput();
    const actual = await checkInstalledPackage(installDir, process.execPath, userEnv(), input);
    const expected = expectedFromSources(input);
    assert.equal(actual.decoded.ok, true, actual.decoded.reason);
    assert.equal(expected.decoded.ok, true);
    assert.equal(typeof actual.decoded.pack?.time, 'number');
    assert.deepEqual({ ...actual.decoded.pack, time: undefined }, { ...expected.decoded.pack, time: undefined });
    assert.deepEqual(actual.encoded, expected.encoded);
    assert.ok(
      (actual.encoded.frames ?? []).some((f) => f.id === 0x351),
      'a limits frame 0x351',
    );
    assert.deepEqual(actual.bank, expected.bank);
    assert.deepEqual([actual.bank?.chargeState, actual.bank?.mode], ['bulk', 'normal']);
    assert.deepEqual(actual.libraryLoaded, [], 'the library entry loads nothing from node_modules (no Node-RED)');
  });

  it('TypeScript users get the types: a strict program type-checks against the installed dist/index.d.ts', async () => {
    const program = [
      "import { decodeFrame, encodeBank, resolveConfig, createState, step } from '@cellsafe/node-red-bms';",
      "import type { BankState, PackState } from '@cellsafe/node-red-bms';",
      "const decoded = decodeFrame('seplos-v3', Buffer.from('0104', 'hex'));",
      'const pack: PackState | undefined = decoded.ok ? decoded.pack : undefined;',
      'const config = resolveConfig({ cellsSeries: 16 });',
      'if (config.ok) {',
      '  const bank: BankState = step(createState(config.value, 0), { packs: pack ? [pack] : [] }, 0).bank;',
      "  encodeBank('victron', bank);",
      '}',
      '// @ts-expect-error: not a protocol (were the types `any`, this directive would be the error)',
      "decodeFrame('jk-xyz', '00');",
      '',
    ].join('\n');
    fs.writeFileSync(path.join(installDir, 'consumer.ts'), program);
    const types = path.join(REPO_ROOT, 'node_modules', '@types');
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const options = [
      '--noEmit',
      '--strict',
      '--module',
      'node16',
      '--moduleResolution',
      'node16',
      '--target',
      'es2022',
    ];
    const checked = await run(
      process.execPath,
      [tsc, ...options, '--typeRoots', types, '--types', 'node', 'consumer.ts'],
      {
        cwd: installDir,
      },
    );
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  });

  it('serialport runs from its prebuilt binary with install scripts ignored: lists ports, moves bytes over a pty pair', async function () {
    const socketcan = fs.existsSync(path.join(installDir, 'node_modules', 'socketcan'));
    const input = libraryInput(pty ? { a: pty.a, b: pty.b } : undefined);
    const actual = await checkInstalledPackage(installDir, process.execPath, userEnv(), input);
    const { list, echoed } = actual.serialport;
    // Listing on Linux asks udevadm, which containers often lack; that is not the binary's doing.
    if (!list.ok) assert.match(list.error ?? '', /udevadm/);
    console.log(
      `    SerialPort.list(): ${list.ok ? `${list.ports} ports` : `rejected (${list.error})`}; ` +
        `socketcan ${socketcan ? 'installed' : 'not installed'} on Node ${process.versions.node}`,
    );
    if (!pty) this.skip(); // socat missing: no pty pair to move bytes over
    assert.equal(echoed, 'cellsafe');
  });

  it("the README's library examples run against the installed package and print what the README says", async () => {
    const examples = readmeExamples();
    assert.equal(examples.length, 2, 'decode a frame; run the engine');
    for (const [index, example] of examples.entries()) {
      const file = path.join(installDir, `readme-example-${index}.js`);
      fs.writeFileSync(file, example.code);
      const result = await run(process.execPath, [file], { cwd: installDir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, example.prints, `README example ${index + 1}`);
    }
  });
});
