export * from './model-table';
export * from './resolve-model';
