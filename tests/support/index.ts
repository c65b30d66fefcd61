export * from './eventually';
export * from './env';
