export type { BrokerLogger } from './broker.ts';
export { type BrokerOptions, type RunningBroker, startBroker } from './server.ts';
