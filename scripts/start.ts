/**
 * `npm start`: the first thing a new user runs. Validates the example DAGs, lists them with
 * their next runs, draws one and explains how it compiles, and says what to try next. (Once the
 * embedded engine lands, this runs the examples locally.)
 */
import { main } from '../src/cli/main.ts';

const rule = (title: string) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);

rule('updraft validate');
const validateCode = await main(['validate']);
rule('updraft list');
const listCode = await main(['list']);
rule('updraft graph warehouse_refresh');
await main(['graph', 'warehouse_refresh']);
rule('updraft explain warehouse_refresh');
await main(['explain', 'warehouse_refresh']);

console.log(`
Try next:
  npx updraft compile daily_orders                  # the Step Functions definition it deploys as
  npx updraft graph daily_orders --format mermaid   # paste into any Mermaid viewer
  npx updraft list --json                           # next runs as data
  npx updraft validate --dags test/fixtures/invalid/cycle   # what a broken DAG looks like
  npm test                                          # type-check, lint and the test suite
`);
process.exitCode = validateCode || listCode;
