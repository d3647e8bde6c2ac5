export * from './define';
export * from './requests';
export * from './publications';
