import { readFile } from 'node:fs/promises';
import Type from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { loadWorkspaceConfig } from '../../orchestrator/src/config/workspace-config.js';
import { EnvReader } from '../../orchestrator/src/config/env-reader.js';
import { DELETED_TAG } from '../../orchestrator/src/storage/s3-workspace-store.js';
import { StoreKeys } from '../../orchestrator/src/storage/store-keys.js';

/** PutBucketLifecycleConfiguration's LifecycleConfiguration, as the S3 API reference defines it. */
const Days = Type.Integer({ minimum: 1 });
const Tag = Type.Object(
  { Key: Type.String({ minLength: 1, maxLength: 128 }), Value: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
const Filter = Type.Union([
  Type.Object({ Prefix: Type.String({ maxLength: 1024 }) }, { additionalProperties: false }),
  Type.Object({ Tag }, { additionalProperties: false }),
  Type.Object(
    { And: Type.Object({ Prefix: Type.Optional(Type.String()), Tags: Type.Optional(Type.Array(Tag)) }) },
    { additionalProperties: false },
  ),
]);
const Rule = Type.Object(
  {
    ID: Type.String({ minLength: 1, maxLength: 255 }),
    Status: Type.Union([Type.Literal('Enabled'), Type.Literal('Disabled')]),
    Filter,
    Expiration: Type.Optional(Type.Object({ Days }, { additionalProperties: false })),
    AbortIncompleteMultipartUpload: Type.Optional(
      Type.Object({ DaysAfterInitiation: Days }, { additionalProperties: false }),
    ),
    NoncurrentVersionExpiration: Type.Optional(
      Type.Object({ NoncurrentDays: Days }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
const LifecycleConfiguration = Type.Object(
  { Rules: Type.Array(Rule, { minItems: 1, maxItems: 1000 }) },
  { additionalProperties: false },
);

interface RuleJson {
  ID: string;
  Filter: { Prefix?: string; Tag?: { Key: string; Value: string } };
  Expiration?: { Days: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation: number };
}

describe('deployment/s3/lifecycle.json', async () => {
  const json: unknown = JSON.parse(
    await readFile(new URL('../../deployment/s3/lifecycle.json', import.meta.url), 'utf8'),
  );
  const rules = (json as { Rules: RuleJson[] }).Rules;
  const byId = (id: string) => rules.find((r) => r.ID === id);

  it('is a valid PutBucketLifecycleConfiguration document with unique rule ids', () => {
    expect(
      [...Value.Errors(LifecycleConfiguration, json)].map((e) => `${e.instancePath} ${e.message}`),
    ).toEqual([]);
    expect(new Set(rules.map((r) => r.ID)).size).toBe(rules.length);
    // A tag rule with a transition-only or expiration-less shape would be refused by S3.
    for (const rule of rules)
      expect(Object.keys(rule).filter((k) => !['ID', 'Status', 'Filter'].includes(k))).toHaveLength(1);
  });

  it('aborts incomplete multipart uploads bucket-wide', () => {
    expect(byId('abort-incomplete-multipart-uploads')).toMatchObject({
      Filter: { Prefix: '' },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    });
  });

  it('matches the keys agentd writes with the default prefix: staging area and the deleted tag', () => {
    const config = loadWorkspaceConfig(new EnvReader({ S3_BUCKET_NAME: 'b' }), '/tmp');
    if (config.store.kind !== 's3') throw new Error('expected s3');
    const keys = new StoreKeys(config.store.prefix);
    const staging = keys.object(
      { tenantId: 't', conversationId: 'c' },
      { area: 'staging', syncId: 'abcdefgh12345678', path: 'x' },
    );
    expect(staging.startsWith(byId('expire-abandoned-staging')?.Filter.Prefix ?? '?')).toBe(true);
    expect(byId('expire-deleted-workspaces')?.Filter.Tag).toEqual(DELETED_TAG);
    const files = keys.object({ tenantId: 't', conversationId: 'c' }, { area: 'files', path: 'x' });
    expect(files.startsWith(byId('expire-abandoned-staging')?.Filter.Prefix ?? '?')).toBe(false);
  });
});
