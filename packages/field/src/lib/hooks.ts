/** Small hooks: live IndexedDB queries (Dexie liveQuery) and the hash route. */
import { liveQuery } from 'dexie';
import { useEffect, useState } from 'preact/hooks';

/** The query's result, kept up to date when the tables it read change; undefined while loading. */
export function useLive<T>(query: () => Promise<T>, deps: readonly unknown[]): T | undefined {
  const [value, setValue] = useState<T | undefined>(undefined);
  useEffect(() => {
    const sub = liveQuery(query).subscribe({ next: (v) => setValue(() => v), error: () => undefined });
    return () => sub.unsubscribe();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return value;
}

export interface Route {
  path: string[];
  query: URLSearchParams;
}

function readRoute(): Route {
  const hash = location.hash.replace(/^#\/?/, '');
  const [path = '', q = ''] = hash.split('?');
  return { path: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const on = () => {
      setRoute(readRoute());
      window.scrollTo(0, 0);
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export const go = (path: string): void => {
  location.hash = path.startsWith('#') ? path : `#${path}`;
};
