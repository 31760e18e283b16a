// In io/ so the NLP worker's image, which has no local mirror, shares it; the local
// components keep importing it from here.
export { announceReady, onShutdown, type ReadyAnnouncement } from '../io/process/lifecycle.ts';
