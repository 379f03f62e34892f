export * from './localTime.ts';
export * from './status.ts';
export * from './workingTime.ts';
export * from './period.ts';
export * from './text.ts';
export * from './ii06a.ts';
export * from './timeline.ts';
export * from './messages.ts';
