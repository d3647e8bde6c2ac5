export * from './model-table';
export * from './resolve-model';
export * from './token-estimate';
