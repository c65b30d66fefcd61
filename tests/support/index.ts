export * from './eventually';
export * from './env';
export * from './fixtures';
