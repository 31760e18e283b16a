import type { WebSocket } from 'ws';
import type { ConnectionFacts, HandshakeFacts } from './websocket-events.ts';

export interface LiveConnection {
  readonly facts: ConnectionFacts;
  readonly handshake: HandshakeFacts;
  readonly socket: WebSocket;
  lastActiveAt: number;
  /** Route invocations of one connection run in arrival order, and $disconnect runs last. */
  queue: Promise<void>;
}

/** Open connections by id; a connection leaves as soon as its socket starts closing. */
export class ConnectionRegistry {
  private readonly live = new Map<string, LiveConnection>();

  add(connection: LiveConnection): void {
    this.live.set(connection.facts.connectionId, connection);
  }

  /** Undefined for an unknown id or a socket no longer open: API Gateway's GoneException. */
  get(connectionId: string): LiveConnection | undefined {
    const connection = this.live.get(connectionId);
    return connection && connection.socket.readyState === connection.socket.OPEN ? connection : undefined;
  }

  remove(connectionId: string): void {
    this.live.delete(connectionId);
  }

  all(): LiveConnection[] {
    return [...this.live.values()];
  }
}
