// Node-RED reads a node's editor HTML, locales and icons only from next to its compiled .js,
// so copy them into dist after tsc.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const srcNodes = path.join(root, 'src', 'nodes');
const distNodes = path.join(root, 'dist', 'nodes');
const icons = path.join(root, 'icons');

for (const dir of fs.readdirSync(srcNodes, { withFileTypes: true })) {
  if (!dir.isDirectory()) continue;
  const from = path.join(srcNodes, dir.name);
  const to = path.join(distNodes, dir.name);
  const html = fs.readdirSync(from).filter((f) => f.endsWith('.html'));
  // a node folder has editor HTML, kept by hand or generated from editor/ by build-editor.js
  if (html.length === 0 && !fs.existsSync(path.join(from, 'editor'))) continue;
  fs.mkdirSync(to, { recursive: true });
  for (const f of html) fs.copyFileSync(path.join(from, f), path.join(to, f));
  if (fs.existsSync(path.join(from, 'locales'))) {
    fs.cpSync(path.join(from, 'locales'), path.join(to, 'locales'), { recursive: true });
  }
  fs.cpSync(icons, path.join(to, 'icons'), { recursive: true });
}
fs.chmodSync(path.join(root, 'dist', 'cli', 'cellsafe.js'), 0o755);
