export * from './canonical.ts';
export * from './sync.ts';
