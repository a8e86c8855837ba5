import { dag, setup, task, teardown } from 'updraft';

export default dag('scratch_work', () => {
  const createScratch = setup('create_scratch', async () => ({ schema: 'scratch_1' }));
  const build = task('build', async (_ctx, s: { schema: string }) => `${s.schema}.facts`);
  const dropScratch = teardown('drop_scratch', { setups: [createScratch] }, async () => ({ dropped: true }));

  build(createScratch()).then(dropScratch); // drop_scratch runs even if build fails
});
