/** The dashboard's pages, addressed by the URL's fragment (`#/workflows/<id>`), so the gateway serves one page at `/`. */
export type Route =
  { page: 'workflows' } | { page: 'workflow'; workflowId: string } | { page: 'compare'; a: string; b: string } | { page: 'not-found'; hash: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The page a fragment names; anything else is not-found (never an error). */
export function routeOf(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const [pathname = '/', query = ''] = path.split('?', 2);
  const segments = pathname.split('/').filter(Boolean);
  if (segments.length === 0 || (segments.length === 1 && segments[0] === 'workflows')) return { page: 'workflows' };
  if (segments.length === 2 && segments[0] === 'workflows' && UUID.test(segments[1]!)) return { page: 'workflow', workflowId: segments[1]!.toLowerCase() };
  if (segments.length === 1 && segments[0] === 'compare') {
    const params = new URLSearchParams(query);
    const a = params.get('a') ?? '';
    const b = params.get('b') ?? '';
    if (UUID.test(a) && UUID.test(b)) return { page: 'compare', a: a.toLowerCase(), b: b.toLowerCase() };
  }
  return { page: 'not-found', hash };
}

/** The fragment of a page: what links and navigation set. */
export function hrefOf(route: Exclude<Route, { page: 'not-found' }>): string {
  switch (route.page) {
    case 'workflows':
      return '#/workflows';
    case 'workflow':
      return `#/workflows/${route.workflowId}`;
    case 'compare':
      return `#/compare?${new URLSearchParams({ a: route.a, b: route.b }).toString()}`;
  }
}
