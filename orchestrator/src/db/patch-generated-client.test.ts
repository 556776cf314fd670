import { describe, expect, it } from 'vitest';
import { patchNullTypes } from './patch-generated-client.js';

const GENERATED = `export const DbNull = runtime.objectEnumValues.instances.DbNull
export const JsonNull = runtime.objectEnumValues.instances.JsonNull
export const JsonNullValueFilter = {
  DbNull: DbNull,
  JsonNull: JsonNull
} as const
export const QueryMode = {
  default: 'default'
} as const
`;

describe('patchNullTypes', () => {
  it('spells out the types of the null sentinels and of objects built from them', () => {
    expect(patchNullTypes(GENERATED))
      .toBe(`export const DbNull: typeof runtime.objectEnumValues.instances.DbNull = runtime.objectEnumValues.instances.DbNull
export const JsonNull: typeof runtime.objectEnumValues.instances.JsonNull = runtime.objectEnumValues.instances.JsonNull
export const JsonNullValueFilter: { readonly DbNull: typeof DbNull; readonly JsonNull: typeof JsonNull } = {
  DbNull: DbNull,
  JsonNull: JsonNull
} as const
export const QueryMode = {
  default: 'default'
} as const
`);
  });

  it('is idempotent', () => {
    const once = patchNullTypes(GENERATED);
    expect(patchNullTypes(once)).toBe(once);
  });
});
