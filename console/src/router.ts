import { useEffect, useState } from 'react';

export const BASE = '/console';
export type Page = 'targets' | 'executions' | 'events' | 'operations';
/** `system`: the operations page, offered only to a token of the service's operators. */
export const PAGES: readonly { page: Page; label: string; system?: true }[] = [
  { page: 'targets', label: 'Targets' },
  { page: 'executions', label: 'Executions' },
  { page: 'events', label: 'Event log' },
  { page: 'operations', label: 'Operations', system: true },
];

function pageOfPath(pathname: string): Page {
  const name = pathname.slice(BASE.length).replace(/^\/+|\/+$/g, '');
  return PAGES.find((entry) => entry.page === name)?.page ?? 'targets';
}

/** The page named by the address bar; navigate() changes it without a reload. */
export function usePage(): [Page, (page: Page) => void] {
  const [page, setPage] = useState(() => pageOfPath(location.pathname));
  useEffect(() => {
    const onPop = () => setPage(pageOfPath(location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = (next: Page) => {
    if (next !== page) history.pushState(null, '', `${BASE}/${next}`);
    setPage(next);
  };
  return [page, navigate];
}
