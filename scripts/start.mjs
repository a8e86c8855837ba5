/**
 * `npm start`: the first thing a new user runs. Validates the example DAGs, runs four of them
 * on the embedded engine (the same state machines `cdk deploy` ships, run metadata in SQLite,
 * .updraft/updraft.db), lists the runs, and says what to try next: break a run, fix it,
 * resume it, backfill a range. In a terminal it then starts `updraft dev`, whose first lines give
 * the UI's address (Ctrl-C stops it); piped or in CI it stops after the runs.
 */
// The CLI as `npx updraft` runs it: built (dist/), DAG files through the cached TypeScript hooks.
import { loadBuiltCli } from './rebuild.mjs';

const main = await loadBuiltCli();

const rule = (title) => console.log(`\n── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);

// The examples read a warehouse connection; a demo value unless you set your own.
process.env.UPDRAFT_CONN_WAREHOUSE ??= 'postgres://etl:demo@warehouse.example.com:5432/dw';

rule('updraft validate');
const codes = [await main(['validate'])];
for (const [dag, date] of [
  ['daily_orders', '2026-11-20'],
  ['process_files', '2026-11-20T05:00'],
  ['weekday_report', '2026-11-20'],
  ['warehouse_refresh', '2026-11-20'],
]) {
  rule(`updraft run ${dag} --date ${date}`);
  codes.push(await main(['run', dag, '--date', date]));
}
rule('updraft runs');
await main(['runs']);

console.log(`
Run data lives in .updraft/ (git-ignored); running npm start again finds these runs and starts nothing new.

Try next:
  npx updraft show daily_orders-2026-11-20T01-00-00Z      # task grid, outputs, tries, lineage, cost
  npx updraft logs daily_orders-2026-11-20T01-00-00Z      # what the tasks logged (secrets masked)
  npx updraft run ingest_crm --date 2026-11-20            # fails: connection crm_db is not set
  npx updraft connections add crm_db postgres://crm:pw@localhost:5432/crm
  npx updraft retry ingest_crm-2026-11-20T03-00-00Z       # resumes the failed run
  npx updraft backfill process_files --from 2026-11-19T00:00 --to 2026-11-19T23:00 --max-concurrency 4
  npx updraft test daily_orders check                     # one task alone, inputs from the last run
  npx updraft explain warehouse_refresh                   # how it compiles, what a run costs
  npx updraft datasets                                    # who writes and waits for each dataset
  npx updraft dev                                         # the local scheduler and the UI (npm start starts it in a terminal)
  npm test                                                # type-check, lint and the test suite
  npm run synth -- -c env=dev                             # the AWS stacks, offline (docs/deploying.md)
`);
process.exitCode = codes.some((c) => c !== 0) ? 1 : 0;

// In a terminal, go on into the local scheduler and its UI (it starts the queued orders_mart run);
// piped or in CI, stop here.
if (process.stdout.isTTY && !process.env.CI && process.exitCode === 0) {
  rule('updraft dev: the local scheduler and the UI (Ctrl-C stops it)');
  process.exitCode = await main(['dev']);
}
