/**
 * @module functions/task-runner
 * Entry of the task-runner Lambda. The CDK app generates one tiny entry per DAG file and bundles
 * it with esbuild (`@aws-sdk/*` external, `updraft` aliased to src/sdk/index.ts):
 *
 * ```ts
 * import * as dagModule from '<abs>/dags/daily_orders.ts';
 * import { createTaskRunnerHandler } from '<abs>/functions/task-runner.ts';
 * export const handler = createTaskRunnerHandler(dagModule);
 * ```
 *
 * The function's `UPDRAFT_DAG` picks the DAG among the file's exports. The middy stack and all
 * logic live in src/runtime/lambda-task-runner.ts, testable without Lambda.
 */
export {
  createTaskRunnerHandler,
  type TaskRunnerHandler,
  type TaskRunnerHandlerOptions,
} from '../src/runtime/lambda-task-runner.ts';
