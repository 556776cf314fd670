import type { ProcFacts } from './proc-facts.js';

/** What a correctly hardened sandbox's runner reports about itself: the audit's unit tests start from it. */
export const SAMPLE_PROC_FACTS: ProcFacts = {
  capEff: '0000000000000000',
  noNewPrivs: '1',
  seccomp: '2',
  uid: '1000',
  uidMap: ['0', '100000', '65536'],
  apparmorLabel: null,
  rootMountOptions: 'ro,relatime',
  tmpfs: {},
};
