import { dag, task } from 'updraft';

interface Extracted {
  readonly rows: number;
  readonly key: string;
}

export default dag('taskflow', () => {
  const extract = task('extract', { connections: ['warehouse'] }, async (ctx): Promise<Extracted> => {
    const db = await ctx.connection('warehouse');
    ctx.log.info('extracting', { host: db.host, ds: ctx.ds });
    return { rows: 1200, key: `raw/orders/${ctx.ds}.parquet` };
  });
  const check = task('check', async (_ctx, e: Extracted) => e.rows > 0);
  const archive = task('archive', async (_ctx, key: string, rows: number) => ({ key, rows }));

  const e = extract();                  // a task instance = a reference to its output
  check(e);                             // data edge extract → check, typed Extracted
  archive(e.get('key'), e.get('rows')); // one field each, still typed
  // @ts-expect-error check the snippet comment: archive(e.get('rows'), ...) does not compile
  archive(e.get('rows'), e.get('rows'));
});
