// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Each external library lives behind one adapter folder (STYLE.md); everything else calls that folder.
const adapterOnly = [
  { name: 'dockerode', message: 'Only orchestrator/src/docker may import dockerode.' },
  { name: 'ioredis', message: 'Only orchestrator/src/coordination may import ioredis.' },
  { name: 'redlock', message: 'Only orchestrator/src/coordination may import redlock.' },
  { name: '@aws-sdk/client-s3', message: 'Only orchestrator/src/storage may import the S3 client.' },
  { name: '@aws-sdk/lib-storage', message: 'Only orchestrator/src/storage may import the S3 client.' },
  { name: '@aws-sdk/client-bedrock-runtime', message: 'Only orchestrator/src/model may import Bedrock.' },
  { name: '@prisma/client', message: 'Only orchestrator/src/db may import Prisma.' },
  { name: '@prisma/adapter-pg', message: 'Only orchestrator/src/db may import Prisma.' },
];
const folderOf = {
  dockerode: 'docker',
  ioredis: 'coordination',
  redlock: 'coordination',
  '@aws-sdk/client-s3': 'storage',
  '@aws-sdk/lib-storage': 'storage',
  '@aws-sdk/client-bedrock-runtime': 'model',
  '@prisma/client': 'db',
  '@prisma/adapter-pg': 'db',
};
const restrictedExcept = (folder) => ({
  paths: adapterOnly.filter((p) => folderOf[p.name] !== folder),
  patterns: [
    {
      group: ['@agentd/sandbox-runner/*', '!@agentd/sandbox-runner/protocol'],
      message: 'The orchestrator shares only the protocol file with the runner.',
    },
    {
      group: ['**/sandbox-runner/src/**'],
      message: 'Import the runner protocol as @agentd/sandbox-runner/protocol (types only).',
    },
  ],
});

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'prisma/generated/**',
      'orchestrator/src/db/generated/**',
      'client/src/generated/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        project: ['./tsconfig.all.json', './orchestrator/console/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Fastify route plugins are async functions by convention, awaited or not.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Only orchestrator/src/config reads process.env.',
        },
      ],
    },
  },
  {
    // The web console runs in browsers (orchestrator/console/tsconfig.json has the DOM types).
    files: ['orchestrator/console/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['orchestrator/src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', restrictedExcept('')] },
  },
  ...Object.values(folderOf)
    .filter((f, i, all) => all.indexOf(f) === i)
    .map((folder) => ({
      files: [`orchestrator/src/${folder}/**/*.ts`],
      rules: { '@typescript-eslint/no-restricted-imports': ['error', restrictedExcept(folder)] },
    })),
  {
    // Configuration, the runner's own entry point, tests and tools may read the environment.
    files: [
      'orchestrator/src/config/**/*.ts',
      'sandbox-runner/src/config.ts',
      'test/**',
      '*.config.ts',
      'scripts/**',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
