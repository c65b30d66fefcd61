export * from './milestone';
