import type { Component } from './advisory-table.js';

/** One component's version as reported: `gitCommit` carries the Debian package version for runc and containerd. */
export interface ComponentVersion {
  version: string;
  gitCommit?: string;
}

/** What the host runs; a component the engine does not report is absent (and said so in the findings). */
export type ComponentVersions = Partial<Record<Component, ComponentVersion>>;

/** Where versions come from: the Engine API and the kernel here; tests inject an affected build. */
export interface VersionSource {
  read(): Promise<ComponentVersions>;
}
