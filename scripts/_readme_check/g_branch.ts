import { branch, chain, dag, shortCircuit, task } from 'updraft';

export default dag('branching', () => {
  const notHoliday = shortCircuit('not_holiday', async (ctx) => !ctx.ds.endsWith('-12-25'));
  const pick = branch('pick_report', { choices: ['full_report', 'light_report'] }, async (ctx) => {
    const day = new Date(`${ctx.ds}T12:00:00Z`).getUTCDay();
    return day === 0 || day === 6 ? 'light_report' : 'full_report';
  });
  const full = task('full_report', async () => ({ pages: 12 }));
  const light = task('light_report', async () => ({ pages: 2 }));
  const publish = task('publish', { triggerRule: 'none_failed_min_one_success' }, async () => 'sent');

  chain(notHoliday, pick, [full, light], publish);
});
