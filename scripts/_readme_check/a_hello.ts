import { dag, task } from 'updraft';

export default dag('hello', { schedule: '@daily', startDate: '2026-01-01' }, () => {
  const greet = task('greet', async (ctx) => `hello, ${ctx.ds}`);
  const shout = task('shout', async (_ctx, text: string) => text.toUpperCase());
  shout(greet());
});
