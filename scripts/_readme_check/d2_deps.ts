import { chain, crossDownstream, dag, task } from 'updraft';

export default dag('deps_readme', () => {
  const extract = task('extract', async () => 1);
  const cleanA = task('clean_a', async () => 1);
  const cleanB = task('clean_b', async () => 1);
  const load = task('load', async () => 1);
  const audit = task('audit', async () => 1);
  const archive = task('archive', async () => 1);

  const loaded = load();
  chain(extract, [cleanA, cleanB], loaded); // extract → clean_a, clean_b → load
  loaded.then(audit).then('archive');       // load → audit → archive (a task id as a string)
  archive();
});

export const crossed = dag('crossed', () => {
  const t = (id: string) => task(id, async () => id)();
  crossDownstream([t('a'), t('b')], [t('x'), t('y')]); // a → x, a → y, b → x, b → y
});
