import type { Readable } from 'node:stream';

export interface ImageBuildOptions {
  tag: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
}

/** The runner and agentd images: built locally, never pulled. */
export interface ImageClient {
  /** undefined when the image does not exist. */
  labels(reference: string): Promise<Record<string, string> | undefined>;
  /** `docker import`: a root filesystem tar becomes an image. */
  importRootfs(rootfsTar: Readable, repo: string, tag: string, changes: string[]): Promise<void>;
  /** Builds an image from a tar build context; `onProgress` receives the builder's output lines. */
  build(context: Readable, options: ImageBuildOptions, onProgress: (line: string) => void): Promise<void>;
}
