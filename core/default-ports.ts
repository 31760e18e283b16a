/**
 * Default ports of the local mirror. Each sits well away from the port its system service
 * would use (6379, 8123, 9092, ...), so a machine that already runs Redis or Kafka is fine.
 * In core/ because processes outside the local mirror default to them too (the NLP worker
 * finds the local broker without configuration).
 */
export const DEFAULT_PORTS = {
  gateway: 4680,
  websocket: 4681,
  /** Status of the event source mapping emulator (GET /health, GET /status). */
  esm: 4682,
  /** Prometheus metrics of the tweet NLP worker. */
  nlp: 4683,
  kafka: 19092,
  redis: 16379,
  clickhouse: 18123,
  s3: 14568,
} as const;

export type PortName = keyof typeof DEFAULT_PORTS;
export type Ports = Record<PortName, number>;
