/** Datasets with producers, readers and consumers, their last event, and what each data-aware DAG waits for. */
import { useDatasets } from '../api.ts';
import { Status, time } from '../components/State.tsx';
import { href } from '../router.ts';

export function DatasetsView() {
  const overview = useDatasets();
  if (!overview.data) return <Status loading={overview.isLoading} error={overview.error} />;
  const { datasets, consumers } = overview.data;
  return (
    <section>
      <h1>Datasets</h1>
      {datasets.length === 0 ? (
        <Status empty="No task lists a dataset in its inlets or outlets." />
      ) : (
        <table>
          <thead>
            <tr>
              <th>dataset</th>
              <th>written by</th>
              <th>read by</th>
              <th>starts</th>
              <th>last update</th>
            </tr>
          </thead>
          <tbody>
            {datasets.map((d) => (
              <tr key={d.uri}>
                <td>
                  <code>{d.uri}</code>
                </td>
                <td>{d.producers.join(', ') || '—'}</td>
                <td>{d.readers.join(', ') || '—'}</td>
                <td>
                  {d.consumers.map((c) => (
                    <a key={c} href={href.dag(c)}>
                      {c}{' '}
                    </a>
                  ))}
                </td>
                <td>
                  {d.lastEvent ? (
                    <a href={href.run(d.lastEvent.runId)}>{time(d.lastEvent.at)}</a>
                  ) : (
                    '—'
                  )}
                  {d.lastEvent?.extra !== undefined && (
                    <code> {JSON.stringify(d.lastEvent.extra)}</code>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {consumers.length > 0 && (
        <>
          <h2>Data-aware DAGs</h2>
          <table>
            <thead>
              <tr>
                <th>DAG</th>
                <th>condition</th>
                <th>updated since its last run</th>
                <th>waits for</th>
              </tr>
            </thead>
            <tbody>
              {consumers.map((c) => (
                <tr key={c.dagId}>
                  <td>
                    <a href={href.dag(c.dagId)}>{c.dagId}</a>
                  </td>
                  <td>
                    <code>{c.condition}</code>
                  </td>
                  <td>{c.updated.join(', ') || '—'}</td>
                  <td>{c.waitingFor ?? 'nothing: its condition holds'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
