/**
 * The bms-rules node with its own en-US catalog as Node-RED's i18n: the test-helper's RED._ returns the
 * key, so tests that read a status or a reason as a user does load the node through `rulesWithCatalog`.
 * A key missing from the catalog, or a `__name__` parameter not given, fails the test.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NodeAPI } from 'node-red';
import rulesNode = require('../../src/nodes/bms-rules/bms-rules');
import { REPO_ROOT } from './fixtures';

const catalog = JSON.parse(
  fs.readFileSync(path.join(REPO_ROOT, 'src/nodes/bms-rules/locales/en-US/bms-rules.json'), 'utf8'),
) as Record<string, unknown>;

/** Node-RED's i18n for the bms-rules catalog: dotted key, `__name__` parameters. */
export function translate(key: string, params: Record<string, unknown> = {}): string {
  const text = key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], catalog);
  assert.equal(typeof text, 'string', `catalog has ${key}`);
  return (text as string).replace(/__(\w+)__/g, (_, name: string) => {
    assert.ok(name in params, `${key}: parameter ${name}`);
    return String(params[name]);
  });
}

/** The bms-rules node module, registered with the catalog translation. */
export const rulesWithCatalog = (RED: NodeAPI): void => {
  (RED as unknown as { _: typeof translate })._ = translate;
  rulesNode(RED);
};
