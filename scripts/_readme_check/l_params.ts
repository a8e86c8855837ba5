import { dag, manual, param, task, type Params, type TaskContext } from 'updraft';

const params = {
  region: param.string({ default: 'eu', enum: ['eu', 'us'] }),
  limit: param.integer({ default: 100, minimum: 1, maximum: 1000 }),
  tables: param.array<string>({ description: 'Tables to export' }), // no default: manual DAGs only
};
type Ctx = TaskContext<Params<typeof params>>;

export default dag('export_tables', { schedule: manual(), params }, () => {
  const exportTables = task('export', async (ctx: Ctx) => {
    const region: 'eu' | 'us' = ctx.params.region;
    return { region, count: Math.min(ctx.params.limit, ctx.params.tables.length) };
  });
  exportTables();
});
