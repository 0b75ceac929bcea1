/**
 * Offline replica of the Flow Library scorecard (`node-red-dev validate`), for the checks that do
 * not need the network (check ids as node-red-dev reports them), plus what Node-RED itself needs
 * on disk next to each compiled node. Runs against the build output (npm test builds first).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as acorn from 'acorn';
import * as semver from 'semver';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// npm dist-tags of node-red when this check was written; P06/P07 compare against them.
const NODE_RED_LATEST = '5.0.7';
const NODE_RED_LATEST_ENGINE = '>=22.9';

interface NodeDefinition {
  type: string;
  props: Record<string, unknown>;
  literal: Record<string, boolean>;
}

/** registerType('<type>', { … }) calls in the text/javascript blocks of an editor HTML file. */
function definitions(html: string): NodeDefinition[] {
  const out: NodeDefinition[] = [];
  const blocks = [...html.matchAll(/<script[^>]*type="text\/javascript"[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
  assert.ok(blocks.length > 0, 'no <script type="text/javascript"> block');
  for (const code of blocks) {
    const ast = acorn.parse(code, { ecmaVersion: 2022 });
    const visit = (n: unknown): void => {
      if (!n || typeof n !== 'object') return;
      const node = n as {
        type?: string;
        callee?: { type: string; property?: { name?: string } };
        arguments?: Array<{
          type: string;
          value?: unknown;
          properties?: Array<{ key: { name?: string; value?: string }; value: { type: string; value?: unknown } }>;
        }>;
      };
      if (
        node.type === 'CallExpression' &&
        node.callee?.type === 'MemberExpression' &&
        node.callee.property?.name === 'registerType'
      ) {
        const [typeArg, defArg] = node.arguments ?? [];
        assert.equal(typeArg?.type, 'Literal', 'registerType type must be a literal');
        assert.equal(defArg?.type, 'ObjectExpression', 'registerType definition must be an object literal');
        const props: Record<string, unknown> = {};
        const literal: Record<string, boolean> = {};
        for (const p of defArg.properties ?? []) {
          const key = p.key.name ?? p.key.value ?? '';
          literal[key] = p.value.type === 'Literal';
          props[key] = p.value.value;
        }
        out.push({ type: String(typeArg.value), props, literal });
      }
      for (const v of Object.values(n)) {
        if (Array.isArray(v)) v.forEach(visit);
        else if (v && typeof v === 'object') visit(v);
      }
    };
    visit(ast);
  }
  return out;
}

function exampleFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? exampleFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : [],
    );
}

describe('scorecard (offline node-red-dev validate checks)', () => {
  it('P01/P03/P04/P05: licence, repository, scoped name, node-red keyword', () => {
    assert.equal(typeof pkg.license, 'string');
    assert.ok(fs.existsSync(path.join(root, 'LICENSE')), 'LICENSE file');
    assert.ok(pkg.repository || pkg.bugs);
    assert.match(pkg.name, /^@[a-z0-9-]+\/node-red-/);
    assert.ok(pkg.keywords.includes('node-red'));
  });

  it('P06/P07: node-red version range includes the latest release; engines.node allows its minimum', () => {
    assert.ok(
      semver.satisfies(NODE_RED_LATEST, pkg['node-red'].version),
      `node-red.version ${pkg['node-red'].version}`,
    );
    assert.ok(semver.satisfies('4.1.0', pkg['node-red'].version), 'tested floor 4.x included');
    const min = semver.minVersion(NODE_RED_LATEST_ENGINE)!.version;
    assert.ok(semver.satisfies(min, pkg.engines.node), `engines.node ${pkg.engines.node} vs ${min}`);
    assert.ok(semver.satisfies('20.0.0', pkg.engines.node), 'Node 20 supported');
  });

  it('D01: at most 6 runtime dependencies; node-red never one of them; socketcan optional', () => {
    const deps = Object.keys(pkg.dependencies ?? {});
    assert.ok(deps.length <= 6, deps.join(','));
    assert.ok(!deps.includes('node-red'));
    assert.ok(pkg.optionalDependencies?.socketcan);
    assert.ok(!deps.includes('socketcan'));
  });

  it('packaging: files include dist and examples; bin points at the built CLI', () => {
    for (const f of ['dist', 'examples', 'README.md', 'LICENSE']) assert.ok(pkg.files.includes(f), f);
    assert.ok(fs.existsSync(path.join(root, pkg.bin.cellsafe)), 'built CLI exists');
  });

  const nodeFiles: Array<[string, string]> = Object.entries(pkg['node-red'].nodes);
  const htmlOf = (js: string) => fs.readFileSync(path.join(root, js).replace(/\.js$/, '.html'), 'utf8');

  for (const [set, js] of nodeFiles) {
    it(`node set "${set}": built js, html with literal definitions, icons and locales next to it`, () => {
      const jsPath = path.join(root, js);
      assert.ok(fs.existsSync(jsPath), `${js} built`);
      const dir = path.dirname(jsPath);
      const base = path.basename(jsPath, '.js');
      const html = htmlOf(js);
      assert.doesNotMatch(html, /<script[^>]+src=/, 'no external scripts in editor HTML');
      const defs = definitions(html);
      assert.ok(defs.length > 0, 'registers at least one type');
      for (const d of defs) {
        for (const k of ['category', 'color', 'icon', 'inputs', 'outputs']) {
          if (d.props.category === 'config' && k !== 'category') continue;
          assert.ok(d.literal[k], `${d.type}: ${k} must be a literal`);
        }
        if (d.props.category !== 'config') {
          assert.equal(d.props.category, 'battery', `${d.type} category`);
          assert.ok(
            fs.existsSync(path.join(dir, 'icons', String(d.props.icon))),
            `${d.type} icon ${String(d.props.icon)} next to the js`,
          );
        }
      }
      assert.ok(fs.existsSync(path.join(dir, 'locales', 'en-US', `${base}.json`)), 'message catalog');
      const help = fs.readFileSync(path.join(dir, 'locales', 'en-US', `${base}.html`), 'utf8');
      for (const d of defs) assert.match(help, new RegExp(`data-help-name="${d.type}"`), `help for ${d.type}`);
    });
  }

  it('help of every non-config node has Inputs/Outputs/Details sections', () => {
    for (const [, js] of nodeFiles) {
      const dir = path.dirname(path.join(root, js));
      const help = fs.readFileSync(path.join(dir, 'locales', 'en-US', path.basename(js, '.js') + '.html'), 'utf8');
      const defs = definitions(htmlOf(js));
      for (const d of defs.filter((x) => x.props.category !== 'config')) {
        const section = help.split(/data-help-name=/).find((s) => s.startsWith(`"${d.type}"`)) ?? '';
        for (const h of ['Details']) assert.match(section, new RegExp(`<h3>${h}</h3>`), `${d.type} help has ${h}`);
        if (Number(d.props.inputs) > 0) assert.match(section, /<h3>Inputs<\/h3>/, `${d.type} help has Inputs`);
        if (Number(d.props.outputs) > 0) assert.match(section, /<h3>Outputs<\/h3>/, `${d.type} help has Outputs`);
      }
    }
  });

  it('N02: every non-config node type is used in some example flow', () => {
    const used = new Set<string>();
    for (const f of exampleFiles(path.join(root, 'examples'))) {
      const flow = JSON.parse(fs.readFileSync(f, 'utf8'));
      assert.ok(Array.isArray(flow), `${f} is an array of nodes`);
      for (const n of flow) used.add(n.type);
    }
    const allDefs = nodeFiles.flatMap(([, js]) => definitions(htmlOf(js)));
    const missing = allDefs.filter((d) => d.props.category !== 'config' && !used.has(d.type)).map((d) => d.type);
    assert.deepEqual(missing, []);
  });
});
