import type { paths } from './generated/openapi.js';

/** HTTP methods the API uses. */
export type Method = 'get' | 'put' | 'post' | 'delete';

/** Every operation as `"METHOD /path"` (the path with its `{params}`), e.g. `"GET /api/tenants"`. */
export type Route = {
  [P in keyof paths]: {
    [M in Method]: [paths[P][M]] extends [undefined] ? never : `${Uppercase<M>} ${P & string}`;
  }[Method];
}[keyof paths];

type Split<R extends Route> = R extends `${infer M} ${infer P}`
  ? [Lowercase<M> & Method, P & keyof paths]
  : never;

/** The generated operation object of a route. */
export type Operation<R extends Route> = NonNullable<paths[Split<R>[1]][Split<R>[0]]>;

/** The JSON body a route takes (`never` when it takes none). */
export type RequestBody<R extends Route> =
  Operation<R> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The query string a route takes. */
export type QueryOf<R extends Route> =
  Operation<R> extends { parameters: { query?: infer Q } } ? (Q extends undefined ? never : Q) : never;

/** The path parameters of a route. */
export type PathParams<R extends Route> = Operation<R> extends { parameters: { path: infer P } } ? P : never;

type SuccessStatus = 200 | 201 | 202;

/** The JSON a route answers with on success; `unknown` where the document gives no schema. */
export type ResponseBody<R extends Route, Type extends string = 'application/json'> =
  Operation<R> extends { responses: infer Rs }
    ? {
        [S in keyof Rs & SuccessStatus]: Rs[S] extends { content: { [K in Type]: infer J } } ? J : unknown;
      }[keyof Rs & SuccessStatus]
    : unknown;
