/**
 * Which Node-RED context store keeps the bms-rules state across a restart, from settings.contextStorage.
 */
import { strict as assert } from 'node:assert';
import { persistentStore } from '../../../src/nodes/bms-rules/context-store';

describe('bms-rules persistent context store', () => {
  it('prefers a localfilesystem store, else a plugin store; memory only or nothing configured is none', () => {
    assert.equal(persistentStore(undefined), undefined);
    assert.equal(persistentStore({}), undefined);
    assert.equal(persistentStore({ default: { module: 'memory' } }), undefined);
    assert.equal(persistentStore({ default: { module: 'memory' }, file: { module: 'localfilesystem' } }), 'file');
    // the settings snippet in the help, and an alias for the default
    assert.equal(persistentStore({ default: 'disk', disk: { module: 'localfilesystem' } }), 'disk');
    assert.equal(persistentStore({ default: { module: 'localfilesystem' } }), 'default');
    const plugin = { module: { toString: () => 'redis' } };
    assert.equal(persistentStore({ default: { module: 'memory' }, redis: plugin }), 'redis');
    assert.equal(
      persistentStore({ redis: plugin, file: { module: 'localfilesystem' } }),
      'file',
      'localfilesystem first',
    );
    assert.equal(persistentStore({ _: { module: 'localfilesystem' } }), undefined, '"_" is reserved by Node-RED');
    assert.equal(persistentStore('file'), undefined);
  });
});
