/** The UI's frame: a navigation bar and the view the URL's hash names. */
import { href, useRoute } from './router.ts';
import { DagsView } from './views/DagsView.tsx';
import { DagView } from './views/DagView.tsx';
import { CostView } from './views/CostView.tsx';
import { DatasetsView } from './views/DatasetsView.tsx';
import { RunView } from './views/RunView.tsx';

export function App() {
  const route = useRoute();
  return (
    <>
      <nav className="top" aria-label="Updraft">
        <a className="brand" href={href.dags()}>
          Updraft
        </a>
        <a href={href.dags()} aria-current={route.view === 'dags' ? 'page' : undefined}>
          DAGs
        </a>
        <a href={href.datasets()} aria-current={route.view === 'datasets' ? 'page' : undefined}>
          Datasets
        </a>
        <a href={href.cost()} aria-current={route.view === 'cost' ? 'page' : undefined}>
          Cost
        </a>
      </nav>
      <main>
        {route.view === 'dags' && <DagsView />}
        {route.view === 'dag' && <DagView key={route.dagId} dagId={route.dagId} tab={route.tab} />}
        {route.view === 'run' && (
          <RunView key={route.runId} runId={route.runId} taskId={route.taskId} />
        )}
        {route.view === 'datasets' && <DatasetsView />}
        {route.view === 'cost' && <CostView />}
      </main>
    </>
  );
}
