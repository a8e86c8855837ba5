import { athenaQuery, dag, format, glueJob, lambdaInvoke, runValues, task, triggerDag } from 'updraft';

export default dag('operators', () => {
  const partition = task('partition', async (ctx) => ({ day: ctx.ds, table: 'analytics.orders' }));
  const p = partition();
  const repair = athenaQuery('add_partition', {
    query: format`ALTER TABLE ${p.get('table')} ADD IF NOT EXISTS PARTITION (ds = '${runValues.ds}')`,
    database: 'analytics',
    workGroup: 'primary',
  });
  const compact = glueJob('compact', { jobName: 'compact-orders', arguments: { '--day': p.get('day') } });
  const score = lambdaInvoke<{ score: number }>('score', { functionName: 'orders-scorer', payload: { day: p.get('day') } });
  repair.then(compact);
  compact.then(score);
  score.then(triggerDag('refresh_dashboards', { dagId: 'hello', conf: { day: runValues.ds } }));
});
