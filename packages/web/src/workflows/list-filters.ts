import type { ListFilters } from '@topdog/client';

/** The list's filters as the form holds them: text and `YYYY-MM-DD` dates, empty for "any". */
export interface FilterForm {
  projectId: string;
  state: string;
  model: string;
  createdFrom: string;
  createdTo: string;
}

export const NO_FILTERS: FilterForm = { projectId: '', state: '', model: '', createdFrom: '', createdTo: '' };

/**
 * The API's filters from the form. Dates are whole days in the reader's time zone (the list shows
 * times in it too), both ends included: "from" is after the instant before that day began, "to"
 * before the next day begins (the API's bounds are exclusive).
 */
export function listFiltersOf(form: FilterForm): Omit<ListFilters, 'cursor' | 'limit'> {
  const filters: Omit<ListFilters, 'cursor' | 'limit'> = {};
  if (form.projectId.trim()) filters.project_id = form.projectId.trim();
  if (form.state) filters.state = form.state as ListFilters['state'];
  if (form.model.trim()) filters.model = form.model.trim();
  if (form.createdFrom) filters.created_after = new Date(localMidnight(form.createdFrom, 0).getTime() - 1).toISOString();
  if (form.createdTo) filters.created_before = localMidnight(form.createdTo, 1).toISOString();
  return filters;
}

/** The start of the day `days` after a `YYYY-MM-DD` date, in the local time zone. */
function localMidnight(date: string, days: number): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + days);
}
