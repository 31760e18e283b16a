export { type BrowserClientOptions, type BrowserHost, createBrowserClient } from './browser.ts';
export { type ClientOptions, SpateClient, type TrackFields } from './client.ts';
export { createHttpTransport, type HttpTransportOptions, parseRetryAfter } from './http-transport.ts';
export { createNodeClient, type NodeClientOptions } from './node.ts';
export { type KeyValueStorage, StorageQueueStore } from './queue-store.ts';
export { DEFAULT_RETRY, isRetryable, type RetryPolicy, retryDelayMs } from './retry-policy.ts';
export type * from './types.ts';
