/** The dashboard's routes: the page, its icon and its hashed assets. All public: the page signs in itself. */
export const DASHBOARD_PAGE_ROUTES = ['/', '/index.html', '/favicon.svg'] as const;
export const DASHBOARD_ASSETS_PREFIX = '/assets/';

const PAGES: ReadonlySet<string> = new Set(DASHBOARD_PAGE_ROUTES);

export const isDashboardRoute = (route: string | undefined): boolean => route !== undefined && (PAGES.has(route) || route.startsWith(DASHBOARD_ASSETS_PREFIX));
