export { TopDogClient, type CommandOptions, type ListFilters, type TopDogClientOptions } from './client';
export { TopDogApiError } from './api-error';
export type { LiveEvent, LiveEventsOptions } from './live-events';
