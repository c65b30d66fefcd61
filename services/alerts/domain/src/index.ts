export * from './rules';
export * from './subscriptions';
export * from './delivery';
export * from './alert';
export * from './forecast';
