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

const DAY_MS = 86_400_000;

/**
 * The API's filters from the form. Dates are whole days in UTC, both ends included: "from" is
 * after the instant before that day began, "to" before the next day begins (the API's bounds are
 * exclusive).
 */
export function listFiltersOf(form: FilterForm): Omit<ListFilters, 'cursor' | 'limit'> {
  const filters: Omit<ListFilters, 'cursor' | 'limit'> = {};
  if (form.projectId.trim()) filters.project_id = form.projectId.trim();
  if (form.state) filters.state = form.state as ListFilters['state'];
  if (form.model.trim()) filters.model = form.model.trim();
  if (form.createdFrom) filters.created_after = new Date(Date.parse(`${form.createdFrom}T00:00:00Z`) - 1).toISOString();
  if (form.createdTo) filters.created_before = new Date(Date.parse(`${form.createdTo}T00:00:00Z`) + DAY_MS).toISOString();
  return filters;
}
