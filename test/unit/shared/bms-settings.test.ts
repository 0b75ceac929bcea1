/**
 * The BMS settings vocabulary and its migrations: a node saved with earlier names reads as the same
 * node with today's names; a node saved with today's names is left alone.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BMS_MIGRATIONS,
  migrate,
  modeSetting,
  renamed,
  secondsSetting,
  type SavedConfig,
} from '../../../src/nodes/shared/bms-settings';
import { numberSetting } from '../../../src/nodes/shared/number-setting';
import { FIXTURES_DIR } from '../../helpers/fixtures';

const jk = (config: SavedConfig) => migrate(config, BMS_MIGRATIONS['jk-bms']);
const smartbms = (config: SavedConfig) => migrate(config, BMS_MIGRATIONS.smartbms);

describe('BMS settings migrations', () => {
  it('renamed: the old name is read only while the new one is absent', () => {
    const step = renamed('packId', 'idPrefix');
    assert.deepEqual(step({ packId: 'a' }), { packId: 'a', idPrefix: 'a' });
    assert.deepEqual(step({ packId: 'a', idPrefix: 'b' }), { packId: 'a', idPrefix: 'b' });
    assert.deepEqual(step({ packId: 'a', idPrefix: '' }), { packId: 'a', idPrefix: '' });
    assert.deepEqual(step({ name: 'x' }), { name: 'x' });
  });

  it('jk-bms: protocol pb-listen is protocol pb in mode listen', () => {
    assert.deepEqual(jk({ protocol: 'pb-listen', staleAfter: 20 }), { protocol: 'pb', mode: 'listen', staleAfter: 20 });
    assert.deepEqual(jk({ protocol: 'pb', staleAfter: 20 }), { protocol: 'pb', staleAfter: 20 });
    assert.deepEqual(jk({ protocol: 'pb', mode: 'listen', staleAfter: 20 }), {
      protocol: 'pb',
      mode: 'listen',
      staleAfter: 20,
    });
  });

  it('jk-bms: a node saved without a mode keeps its 15 s lost-after default; a new node gets the shared 10 s', () => {
    assert.equal(jk({ protocol: 'pb-listen' }).staleAfter, 15);
    assert.equal(jk({ protocol: 'pb-listen', staleAfter: '' }).staleAfter, 15);
    assert.equal(jk({ protocol: 'pb', mode: 'listen', staleAfter: '' }).staleAfter, '');
    assert.equal(secondsSetting(jk({ protocol: 'pb', mode: 'listen', staleAfter: '' }).staleAfter, 10, 1), 10_000);
    assert.equal(secondsSetting(jk({ protocol: 'pb-listen', staleAfter: '' }).staleAfter, 10, 1), 15_000);
  });

  it('smartbms: packId and dataTimeout are idPrefix and staleAfter; a non-positive timeout was the 10 s default', () => {
    assert.deepEqual(smartbms({ packId: 'house', dataTimeout: 30 }), {
      packId: 'house',
      dataTimeout: 30,
      idPrefix: 'house',
      staleAfter: 30,
    });
    for (const meantDefault of [0, -5, '', 'abc', '  ']) {
      assert.equal(
        smartbms({ dataTimeout: meantDefault }).staleAfter,
        10,
        `dataTimeout ${JSON.stringify(meantDefault)}`,
      );
    }
    assert.equal(smartbms({ dataTimeout: 0.3 }).staleAfter, 0.3);
    assert.deepEqual(smartbms({ idPrefix: 'new', packId: 'old', staleAfter: 5, dataTimeout: 50 }), {
      idPrefix: 'new',
      packId: 'old',
      staleAfter: 5,
      dataTimeout: 50,
    });
  });

  it('seplos-bms already uses the vocabulary: nothing to migrate', () => {
    const node = { mode: 'listen', idPrefix: 'p', staleAfter: 7, interval: 3 };
    assert.deepEqual(migrate(node, BMS_MIGRATIONS['seplos-bms']), node);
  });

  it('every BMS node of the saved example flows migrates to today’s names, and migrating again changes nothing', () => {
    const dir = path.join(FIXTURES_DIR, 'flows');
    let count = 0;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as SavedConfig[];
      for (const node of flow) {
        const migrations = BMS_MIGRATIONS[node.type as keyof typeof BMS_MIGRATIONS];
        if (!migrations) continue;
        count++;
        const now = migrate(node, migrations);
        assert.deepEqual(migrate(now, migrations), now, `${file}: idempotent`);
        assert.notEqual(now.idPrefix, undefined, `${file}: idPrefix`);
        assert.notEqual(now.staleAfter, undefined, `${file}: staleAfter`);
        if (node.type === 'smartbms') assert.equal(now.idPrefix, node.packId, `${file}: smartbms id`);
        if (node.type === 'jk-bms') assert.equal(modeSetting(now.mode), 'poll', `${file}: jk mode`);
      }
    }
    assert.equal(count, 11);
  });

  it('number and time settings: empty or not a number is the default; a minimum holds', () => {
    assert.equal(numberSetting('', 5), 5);
    assert.equal(numberSetting('x', 5), 5);
    assert.equal(numberSetting('2.5', 5), 2.5);
    assert.equal(secondsSetting(undefined, 5, 0.5), 5000);
    assert.equal(secondsSetting(0.1, 5, 0.5), 500);
    assert.equal(secondsSetting('20', 10, 1), 20_000);
    assert.equal(modeSetting('listen'), 'listen');
    assert.equal(modeSetting(undefined), 'poll');
  });
});
