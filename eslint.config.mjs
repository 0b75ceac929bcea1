import path from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import layers from './scripts/eslint-layers.mjs';

const root = import.meta.dirname;
// Files of a node folder that must run without Node-RED (the CLI, the library entry and tests load them).
const pure = '^(protocol-.*|.*simulator.*|engine.*|.*reader|.*listener|.*framer|.*-pack-state|cli-decode)\\.ts$';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.node-red-demo/**', 'test-output/**', 'bench/**/*.json'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { cellsafe: { rules: { layers } } },
    rules: { 'cellsafe/layers': ['error', { srcDir: path.join(root, 'src'), pure }] },
  },
  {
    files: ['scripts/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
