// ESLint rule `cellsafe/layers`: imports in src go only downward,
//   core → transport → nodes/shared → nodes/<node> → cli (and the library entry src/index.ts),
// never sideways between two node folders, and Node-RED is imported nowhere in core, transport and
// cli, nor by a node folder's pure files (protocol, simulator, engine, reader, listener, framer,
// pack-state and CLI decoder files, named by the `pure` option), so those run without Node-RED. Relative imports are resolved against the importing file, so the rule
// does not depend on how deep a file sits.
import path from 'node:path';

const ORDER = 'core → transport → nodes/shared → nodes/<node> → cli';

/** Where a file sits: rank (lower may not import higher) and layer name, or undefined outside src. */
function layerOf(file, srcDir) {
  const parts = path.relative(srcDir, file).split(path.sep);
  if (parts[0] === '..' || path.isAbsolute(parts[0])) return undefined;
  if (parts[0] === 'core') return { rank: 0, name: 'core' };
  if (parts[0] === 'transport') return { rank: 1, name: 'transport' };
  if (parts[0] === 'nodes' && parts[1] === 'shared') return { rank: 2, name: 'nodes/shared' };
  if (parts[0] === 'nodes' && parts.length > 2) return { rank: 3, name: `nodes/${parts[1]}` };
  return { rank: 4, name: parts[0] === 'cli' ? 'cli' : parts.join('/') };
}

function layerProblem(from, to) {
  if (to.rank > from.rank) return `upward import: ${from.name} may not import from ${to.name} (layers: ${ORDER})`;
  if (from.rank === 3 && to.rank === 3 && from.name !== to.name) {
    return `sideways import: ${from.name} may not import from ${to.name}; move the shared piece down to nodes/shared or transport`;
  }
  return undefined;
}

const isNodeRed = (source) => /^@?node-red(\/|$)/.test(source);

export default {
  meta: {
    type: 'problem',
    docs: { description: `imports only downward (${ORDER}); no Node-RED in pure files` },
    schema: [
      {
        type: 'object',
        properties: { srcDir: { type: 'string' }, pure: { type: 'string' } },
        required: ['srcDir', 'pure'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { srcDir, pure } = context.options[0];
    const file = context.filename;
    const from = layerOf(file, srcDir);
    if (!from) return {};
    const mayUseNodeRed = from.rank === 2 || (from.rank === 3 && !new RegExp(pure).test(path.basename(file)));

    function check(node, source) {
      if (typeof source !== 'string') return;
      if (isNodeRed(source)) {
        if (!mayUseNodeRed) {
          context.report({
            node,
            message: `${path.relative(srcDir, file)} may not import ${source}: core, transport, cli and pure node files run without Node-RED`,
          });
        }
        return;
      }
      if (!source.startsWith('.')) return;
      const to = layerOf(path.resolve(path.dirname(file), source), srcDir);
      const problem = to && layerProblem(from, to);
      if (problem) context.report({ node, message: problem });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      TSImportEqualsDeclaration: (node) =>
        node.moduleReference.type === 'TSExternalModuleReference' && check(node, node.moduleReference.expression.value),
      TSImportType: (node) => node.argument?.literal && check(node, node.argument.literal.value),
      CallExpression: (node) =>
        node.callee.type === 'Identifier' &&
        node.callee.name === 'require' &&
        node.arguments[0]?.type === 'Literal' &&
        check(node, node.arguments[0].value),
    };
  },
};
