/** A run as the database recorded it. */
export interface RunSpan {
  id: string;
  conversationId: string;
  nodeId: string;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Pairs of runs of one conversation whose [startedAt, finishedAt] intervals overlap: a conversation that ran
 * twice at once. A run with no finishedAt is still open and overlaps anything that started after it.
 */
export function overlappingRuns(runs: readonly RunSpan[]): [RunSpan, RunSpan][] {
  const byConversation = new Map<string, RunSpan[]>();
  for (const run of runs) {
    if (!run.startedAt) continue;
    const list = byConversation.get(run.conversationId) ?? [];
    list.push(run);
    byConversation.set(run.conversationId, list);
  }
  const pairs: [RunSpan, RunSpan][] = [];
  for (const list of byConversation.values()) {
    list.sort((a, b) => a.startedAt!.getTime() - b.startedAt!.getTime());
    for (let i = 0; i < list.length; i++) {
      const end = list[i]!.finishedAt?.getTime() ?? Number.POSITIVE_INFINITY;
      for (let j = i + 1; j < list.length && list[j]!.startedAt!.getTime() < end; j++)
        pairs.push([list[i]!, list[j]!]);
    }
  }
  return pairs;
}

/** Of the runs that had a predecessor in their conversation (in `order`), how many ran on another node. */
export function movedRuns(order: readonly RunSpan[]): { withPredecessor: number; moved: number } {
  const last = new Map<string, string>();
  let withPredecessor = 0;
  let moved = 0;
  for (const run of order) {
    const previous = last.get(run.conversationId);
    if (previous !== undefined) {
      withPredecessor += 1;
      if (previous !== run.nodeId) moved += 1;
    }
    last.set(run.conversationId, run.nodeId);
  }
  return { withPredecessor, moved };
}
