export * from './canonical.ts';
export * from './sync.ts';
export * from './queue.ts';
export * from './reconcile.ts';
export * from './csv.ts';
export * from './access.ts';
export * from './identity.ts';
export * from './events.ts';
