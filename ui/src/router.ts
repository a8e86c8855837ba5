/**
 * Routes as the URL's hash (`#/dags/daily_orders`), so the server serves one page and a link
 * can be bookmarked or opened in a new tab.
 */
import { useEffect, useState } from 'react';

export type Route =
  | { readonly view: 'dags' }
  | { readonly view: 'dag'; readonly dagId: string; readonly tab: 'grid' | 'graph' | 'trigger' }
  | { readonly view: 'run'; readonly runId: string; readonly taskId?: string }
  | { readonly view: 'datasets' }
  | { readonly view: 'cost' };

export function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'dags' && parts[1]) {
    const tab = parts[2] === 'graph' || parts[2] === 'trigger' ? parts[2] : 'grid';
    return { view: 'dag', dagId: parts[1], tab };
  }
  if (parts[0] === 'runs' && parts[1])
    return { view: 'run', runId: parts[1], ...(parts[3] && { taskId: parts[3] }) };
  if (parts[0] === 'datasets') return { view: 'datasets' };
  if (parts[0] === 'cost') return { view: 'cost' };
  return { view: 'dags' };
}

export const href = {
  dags: () => '#/',
  dag: (dagId: string, tab: 'grid' | 'graph' | 'trigger' = 'grid') =>
    `#/dags/${encodeURIComponent(dagId)}${tab === 'grid' ? '' : `/${tab}`}`,
  run: (runId: string, taskId?: string) =>
    `#/runs/${encodeURIComponent(runId)}${taskId ? `/tasks/${encodeURIComponent(taskId)}` : ''}`,
  datasets: () => '#/datasets',
  cost: () => '#/cost',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
