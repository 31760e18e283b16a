// The defaults live in core/ so the NLP worker's image, which has no local mirror, reads the
// same numbers; the local mirror keeps importing them from here.
export { DEFAULT_PORTS, type PortName, type Ports } from '../core/default-ports.ts';
