// Regenerates client/src/generated/openapi.ts from a test daemon's /docs/json (`npm run client:types`).
import { writeFile } from 'node:fs/promises';
import { startTestDaemon } from '../support/test-daemon.js';
import { GENERATED_TYPES, generateClientTypes } from './openapi-types.js';

const daemon = await startTestDaemon();
try {
  const doc = await daemon.api('GET', '/docs/json');
  await writeFile(GENERATED_TYPES, await generateClientTypes(doc.body));
  console.log(`wrote ${GENERATED_TYPES}`);
} finally {
  await daemon.destroy();
}
