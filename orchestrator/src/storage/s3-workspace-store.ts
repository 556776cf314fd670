import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { WorkspaceStoreConfig } from '../config/workspace-config.js';
import { SignedPut } from './s3-signed-put.js';
import { StoreKeys } from './store-keys.js';
import type { ObjectLocation, StoredObject, WorkspaceRef, WorkspaceStore } from './workspace-store.js';

export type S3StoreOptions = Omit<Extract<WorkspaceStoreConfig, { kind: 's3' }>, 'kind'> & { logger: Logger };

/** Part size of multipart uploads: also the most one upload buffers per part in flight. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;
const DELETE_BATCH = 1000;
/** Objects S3 refused to delete carry this tag; deployment/s3/lifecycle.json expires them. */
export const DELETED_TAG = { Key: 'agentd-deleted', Value: 'true' };

/** Workspaces in an S3 bucket (or an S3-compatible endpoint), credentials from the standard AWS chain. */
export class S3WorkspaceStore implements WorkspaceStore {
  readonly kind = 's3';
  readonly location: string;
  readonly #client: S3Client;
  readonly #keys: StoreKeys;
  readonly #bucket: string;
  readonly #log: Logger;
  /** Small objects whose SHA-256 is known skip the SDK (see SignedPut); undefined where we cannot place them. */
  readonly #signedPut: SignedPut | undefined;

  constructor(options: S3StoreOptions) {
    const checksum = options.checksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
    this.#client = new S3Client({
      region: options.region,
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      forcePathStyle: options.forcePathStyle,
      maxAttempts: options.maxAttempts,
      retryMode: 'standard',
      requestChecksumCalculation: checksum,
      responseChecksumValidation: checksum,
    });
    this.#bucket = options.bucket;
    this.#keys = new StoreKeys(options.prefix);
    this.location = `s3://${options.bucket}/${options.prefix}`;
    this.#log = options.logger.child({ component: 'workspace-store' });
    const base = bucketUrl(options);
    const client = this.#client;
    this.#signedPut =
      base === undefined
        ? undefined
        : new SignedPut({
            base,
            region: options.region,
            credentials: () => client.config.credentials(),
            sha256: client.config.sha256,
            maxAttempts: options.maxAttempts,
          });
  }

  async put(
    ws: WorkspaceRef,
    at: ObjectLocation,
    body: Readable | Buffer,
    _size: number | undefined,
    sha256?: string,
  ): Promise<void> {
    const Key = this.#keys.object(ws, at);
    await this.#call(`put ${Key}`, async () => {
      if (Buffer.isBuffer(body) && body.length <= PART_BYTES && sha256 !== undefined && this.#signedPut) {
        await this.#signedPut.put(Key, body, sha256);
        return;
      }
      if (Buffer.isBuffer(body) && body.length <= PART_BYTES) {
        const command = new PutObjectCommand({
          Bucket: this.#bucket,
          Key,
          Body: body,
          ContentLength: body.length,
        });
        // SigV4 signs the payload's SHA-256; the signer takes a given one instead of hashing the body again.
        if (sha256 !== undefined)
          command.middlewareStack.add(
            (next) => (args) => {
              const request = args.request as { headers?: Record<string, string> };
              if (request.headers) request.headers['x-amz-content-sha256'] = sha256;
              return next(args);
            },
            { step: 'build' },
          );
        await this.#client.send(command);
        return;
      }
      // lib-storage reads the stream in parts: each part is a retryable request, memory stays bounded.
      await new Upload({
        client: this.#client,
        params: { Bucket: this.#bucket, Key, Body: body },
        partSize: PART_BYTES,
        queueSize: PARTS_IN_FLIGHT,
        leavePartsOnError: false,
      }).done();
    });
  }

  async get(ws: WorkspaceRef, at: ObjectLocation): Promise<StoredObject | undefined> {
    return this.#getKey(this.#keys.object(ws, at));
  }

  async copy(ws: WorkspaceRef, from: ObjectLocation, to: ObjectLocation): Promise<void> {
    const source = this.#keys.object(ws, from);
    const Key = this.#keys.object(ws, to);
    const CopySource = `${this.#bucket}/${encodeURIComponent(source).replace(/%2F/g, '/')}`;
    await this.#call(`copy ${source}`, () =>
      this.#client.send(new CopyObjectCommand({ Bucket: this.#bucket, Key, CopySource })),
    );
  }

  async delete(ws: WorkspaceRef, objects: readonly ObjectLocation[]): Promise<void> {
    const refused = await this.#deleteKeys(objects.map((o) => this.#keys.object(ws, o)));
    if (refused.length > 0) {
      throw new AgentdError('DEPENDENCY_UNAVAILABLE', `S3 refused to delete ${refused.length} object(s)`, {
        details: { dependency: 's3' },
      });
    }
  }

  async readManifest(ws: WorkspaceRef): Promise<Buffer | undefined> {
    const object = await this.#getKey(this.#keys.manifest(ws));
    if (!object) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of object.body as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  async writeManifest(ws: WorkspaceRef, data: Buffer): Promise<void> {
    const Key = this.#keys.manifest(ws);
    await this.#call(`put ${Key}`, () =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key,
          Body: data,
          ContentLength: data.length,
          ContentType: 'application/json',
        }),
      ),
    );
  }

  async list(ws: WorkspaceRef): Promise<string[]> {
    const conversation = this.#keys.conversation(ws);
    const staging = this.#keys.stagingRoot(ws);
    return [
      ...(await this.#listKeys(conversation)).map((k) => k.slice(conversation.length)),
      ...(await this.#listKeys(staging)).map((k) => `staging/${k.slice(staging.length)}`),
    ];
  }

  async deleteAll(ws: WorkspaceRef): Promise<number> {
    const keys = [
      ...(await this.#listKeys(this.#keys.conversation(ws))),
      ...(await this.#listKeys(this.#keys.stagingRoot(ws))),
    ];
    const refused = await this.#deleteKeys(keys);
    if (refused.length > 0) {
      // A role allowed to tag but not to delete still gets rid of them: the lifecycle rule
      // `expire-deleted-workspaces` (deployment/s3/lifecycle.json) expires tagged objects.
      await this.#tagDeleted(refused);
      throw new AgentdError(
        'DEPENDENCY_UNAVAILABLE',
        `S3 refused to delete ${refused.length} object(s); tagged them for expiry`,
        {
          details: { dependency: 's3' },
        },
      );
    }
    return keys.length;
  }

  async ping(): Promise<string> {
    await this.#call('head bucket', () => this.#client.send(new HeadBucketCommand({ Bucket: this.#bucket })));
    return this.location;
  }

  async #getKey(Key: string): Promise<StoredObject | undefined> {
    try {
      const res = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key }));
      return { body: res.Body as Readable, size: res.ContentLength ?? 0 };
    } catch (err) {
      if (
        err instanceof S3ServiceException &&
        (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404)
      )
        return undefined;
      throw unavailable(`get ${Key}`, err);
    }
  }

  async #listKeys(Prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.#call(`list ${Prefix}`, () =>
        this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix, ContinuationToken })),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
    return keys;
  }

  /** Deletes in batches; returns the keys S3 refused to delete (access denied), throws on other failures. */
  async #deleteKeys(keys: readonly string[]): Promise<string[]> {
    const refused: string[] = [];
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      try {
        const res = await this.#client.send(
          new DeleteObjectsCommand({
            Bucket: this.#bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        for (const error of res.Errors ?? []) if (error.Key !== undefined) refused.push(error.Key);
      } catch (err) {
        if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 403) refused.push(...batch);
        else throw unavailable(`delete ${batch.length} objects`, err);
      }
    }
    return refused;
  }

  async #tagDeleted(keys: readonly string[]): Promise<void> {
    for (const Key of keys) {
      await this.#client
        .send(
          new PutObjectTaggingCommand({
            Bucket: this.#bucket,
            Key,
            Tagging: { TagSet: [DELETED_TAG] },
          }),
        )
        .catch((err: unknown) => this.#log.debug({ key: Key, reason: errorMessage(err) }, 'Tagging failed'));
    }
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw unavailable(what, err);
    }
  }
}

/**
 * Where the bucket's objects are, as the SDK addresses them: path style when asked (or when a dotted bucket
 * name would not match AWS's wildcard certificate), else virtual-hosted. Undefined for AWS partitions whose
 * domain is not amazonaws.com (China), which keep the SDK's own endpoint resolution.
 */
function bucketUrl(options: S3StoreOptions): URL | undefined {
  const { bucket, endpoint, region, forcePathStyle } = options;
  if (endpoint !== undefined) {
    const url = new URL(endpoint);
    const path = url.pathname.replace(/\/+$/, '');
    return forcePathStyle
      ? new URL(`${url.origin}${path}/${bucket}`)
      : new URL(`${url.protocol}//${bucket}.${url.host}${path}`);
  }
  if (region.startsWith('cn-')) return undefined;
  return forcePathStyle || bucket.includes('.')
    ? new URL(`https://s3.${region}.amazonaws.com/${bucket}`)
    : new URL(`https://${bucket}.s3.${region}.amazonaws.com`);
}

/** S3 failures after the SDK's retries: the dependency is unavailable (or refuses), never a client error. */
function unavailable(what: string, err: unknown): AgentdError {
  if (err instanceof AgentdError) return err;
  const status =
    err instanceof S3ServiceException ? ` (${err.name}, HTTP ${err.$metadata.httpStatusCode ?? '?'})` : '';
  return new AgentdError('DEPENDENCY_UNAVAILABLE', `S3 ${what} failed${status}: ${errorMessage(err)}`, {
    cause: err,
    recoverable: true,
    details: { dependency: 's3' },
  });
}
