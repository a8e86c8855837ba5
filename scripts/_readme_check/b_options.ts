import { cron, dag, notify, param, task } from 'updraft';

export default dag(
  'nightly_sync',
  {
    schedule: cron('0 2 * * *', { timezone: 'Europe/Berlin' }),
    startDate: '2026-01-01', // local midnight in the DAG's timezone
    endDate: '2026-12-31',
    catchup: false,
    maxActiveRuns: 1,
    retry: { attempts: 3, delay: '1m', backoff: 2, maxDelay: '30m', jitter: 'full' },
    defaults: { timeout: '10m', connections: ['warehouse'] },
    runTimeout: '2h',
    deadline: '4h',
    params: { fullRefresh: param.boolean({ default: false }) },
    notify: [notify.slack('slack_alerts', { on: ['failure', 'deadline_missed'] })],
    description: 'Sync the warehouse every night.',
    owner: 'data-platform',
    tags: ['etl'],
  },
  () => {
    task('sync', async (ctx) => ({ full: ctx.params.fullRefresh }))();
  },
);
