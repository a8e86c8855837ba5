import { dag, notify, pool, task } from 'updraft';

export const warehouse = pool('warehouse', { slots: 4 }); // in a real project: dags/_shared.ts

export default dag('pooled', { notify: [notify.sns(), notify.webhook('ops_hook', { on: ['failure', 'retry'] })] }, () => {
  task('heavy_query', { pool: warehouse, notify: [notify.slack('slack_alerts', { on: ['success'] })] }, async () => 1)();
});
