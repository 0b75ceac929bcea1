// node-red-node-test-helper ships no types; the tests use a small, loosely typed surface of it.
declare module 'node-red-node-test-helper' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const helper: any;
  export default helper;
}
