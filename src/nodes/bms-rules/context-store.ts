/**
 * Where bms-rules keeps its state (charge state, last full charge and balance, own SoC, latches): the
 * Node-RED context store that survives a restart. Node-RED's default store is in memory, so without a
 * persistent store configured in settings.js the 14-day balance timer would start again at every reboot.
 */

const moduleOf = (v: unknown): unknown =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>).module : undefined;

/**
 * The name of a persistent store in `settings.contextStorage`: the first `localfilesystem` one, else the first
 * store with a module of its own (a plugin such as a database; `memory` is not one). Undefined when none is
 * configured: the state then lives in memory only, and the node says so.
 */
export function persistentStore(contextStorage: unknown): string | undefined {
  if (typeof contextStorage !== 'object' || contextStorage === null) return undefined;
  // "_" is reserved by Node-RED; a string value is an alias ("default": "file"), not a store
  const stores = Object.entries(contextStorage as Record<string, unknown>).filter(
    ([name, v]) => name !== '_' && typeof v === 'object' && v !== null,
  );
  const file = stores.find(([, v]) => moduleOf(v) === 'localfilesystem');
  if (file) return file[0];
  const plugin = stores.find(([, v]) => moduleOf(v) !== undefined && moduleOf(v) !== 'memory');
  return plugin?.[0];
}
