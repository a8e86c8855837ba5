import { chain, crossDownstream, dag, task } from 'updraft';

const step = (id: string) => task(id, async () => id);

export default dag('dependencies', () => {
  const [start, left, right, join, audit, cleanup] = ['start', 'left', 'right', 'join', 'audit', 'cleanup'].map(step);
  const [a, b, x, y] = ['a', 'b', 'x', 'y'].map(step);

  chain(start!, [left!, right!], join!);   // start → left, right → join
  join!().then(audit!).then('cleanup');    // a.then(b): Airflow's a >> b; ids as strings too
  cleanup!();
  crossDownstream([a!(), b!()], [x!(), y!()]); // a, b → x, y (every pair)
});
