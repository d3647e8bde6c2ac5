import { TopDogApiError } from '@topdog/client';

/** What a person reads of a failed call: the API's message and each field it names, or why there was no answer. */
export interface ErrorText {
  title: string;
  details: string[];
}

const TITLES: Readonly<Record<number, string>> = {
  0: 'The gateway did not answer',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'The workflow is not where this needs it',
  412: 'The workflow changed meanwhile',
  422: 'Not possible now',
  429: 'Too many requests',
};

export function errorText(err: unknown): ErrorText {
  if (err instanceof TopDogApiError) {
    const title = TITLES[err.status] ?? (err.status >= 500 ? 'The service failed' : 'The request was refused');
    return { title: `${title}: ${err.message}`, details: err.details.map((d) => `${d.field}: ${d.reason}`) };
  }
  return { title: err instanceof Error ? err.message : String(err), details: [] };
}
