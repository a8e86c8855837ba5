/**
 * Branching: on weekdays build the full report, at weekends only a light one; `publish` joins
 * both paths with `none_failed_min_one_success`, so it runs whichever branch was taken (the
 * other is skipped). A short-circuit stops the run on public holidays.
 */
import { branch, chain, dag, param, shortCircuit, task, type Params, type TaskContext } from 'updraft';

const params = {
  recipients: param.array<string>({ default: ['bi@acme.example'], description: 'Who gets the report' }),
  holidays: param.array<string>({ default: ['2026-12-25', '2026-12-26', '2027-01-01'] }),
};
type Ctx = TaskContext<Params<typeof params>>;

export default dag(
  'weekday_report',
  {
    description: 'Daily sales report: full on weekdays, light at weekends, none on holidays.',
    owner: 'bi',
    tags: ['reporting', 'branching'],
    schedule: '@daily',
    timezone: 'America/New_York',
    startDate: '2026-06-01',
    params,
  },
  () => {
    const notHoliday = shortCircuit('not_holiday', async (ctx: Ctx) => !ctx.params.holidays.includes(ctx.ds));

    const pick = branch('pick_report', { choices: ['full_report', 'light_report'] }, async (ctx: Ctx) => {
      const day = new Date(`${ctx.ds}T12:00:00Z`).getUTCDay();
      return day === 0 || day === 6 ? 'light_report' : 'full_report';
    });

    const full = task('full_report', async () => ({ pages: 12 }));
    const light = task('light_report', async () => ({ pages: 2 }));
    const publish = task('publish', { triggerRule: 'none_failed_min_one_success' }, async (ctx: Ctx) => {
      ctx.log.info('publishing', { to: ctx.params.recipients });
      return { sent: ctx.params.recipients.length };
    });

    chain(notHoliday, pick, [full, light], publish);
  },
);
