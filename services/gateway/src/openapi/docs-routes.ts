/** The documentation's routes: Swagger UI, and everything under it (the OpenAPI document, the UI's files). Public. */
export const DOCS_ROUTES = ['/docs', '/docs/*'] as const;

const ROUTES: ReadonlySet<string> = new Set(DOCS_ROUTES);

/** Whether a request's route (its pattern, `request.routeOptions.url`) is the documentation's. */
export const isDocsRoute = (route: string | undefined): boolean => route !== undefined && ROUTES.has(route);
