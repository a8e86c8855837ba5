import { dag, group, task } from 'updraft';

type Batch = { rows: number; key: string };

export default dag('grouped', () => {
  const extract = task('extract', async (): Promise<Batch> => ({ rows: 10, key: 'raw/x' }));
  const clean = task('clean', async (_ctx, b: Batch) => b);
  const dedupe = task('dedupe', async (_ctx, b: Batch) => b);
  const load = task('load', async (_ctx, b: Batch) => b.rows);
  const report = task('report', async () => 'ok');

  const batch = extract();
  const transform = group('transform', { defaults: { timeout: '15m' }, retry: { attempts: 2 } }, () => {
    return dedupe(clean(batch)); // tasks inside are transform.clean, transform.dedupe
  });
  load(transform.output);        // what the group function returned
  transform.then(report);        // after the group's last tasks
});
