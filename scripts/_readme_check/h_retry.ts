import { dag, PermanentError, task } from 'updraft';

export default dag('retries', { retry: { attempts: 3, delay: '1m', backoff: 2, maxDelay: '10m', jitter: 'full' } }, () => {
  const load = task('load', { timeout: '10m' }, async (ctx) => {
    if (ctx.attempt > 1) ctx.log.warn('retrying', { attempt: ctx.attempt });
    const exists = ctx.ds.length > 0;
    if (!exists) throw new PermanentError('table analytics.orders does not exist'); // no retry
    return { loaded: true };
  });
  const notifyTeam = task('notify_team', { retry: false }, async () => 'sent'); // never retried
  load().then(notifyTeam);
});
