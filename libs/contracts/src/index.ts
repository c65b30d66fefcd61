export * from './envelope';
export * from './topics';
export * from './dates';
export * from './agreement-events';
export * from './milestone-events';
export * from './agreement-status';
export * from './decider';
export * from './alert-events';
