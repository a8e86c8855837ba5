/** The most task tries running at one instant, from their records' start and end times (pools tests). */
import type { TryRecord } from '../../src/store/types.ts';

/** [start, end): one try ending as another starts is not two running at once. */
export function peak(tries: readonly TryRecord[]): number {
  const edges = tries.flatMap((t) => [
    [Date.parse(t.startedAt), 1],
    [Date.parse(t.endedAt!), -1],
  ]);
  edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let running = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (running += step!));
  return most;
}
