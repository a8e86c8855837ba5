/**
 * @module engine/engine-event
 * The live event a run reports as its tasks change state (progress displays, task records).
 */
import type { TaskState as RecordState } from '../store/types.ts';

export interface EngineEvent {
  readonly type: 'task';
  readonly taskId: string;
  readonly state: RecordState;
  readonly at: number;
  readonly attempt?: number;
  readonly mapIndex?: number;
  readonly reused?: boolean;
}
