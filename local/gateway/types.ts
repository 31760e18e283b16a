import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyWebsocketEventV2,
  APIGatewayRequestAuthorizerEvent,
  Handler,
} from 'aws-lambda';

/**
 * An HTTP API handler: the very module that runs behind API Gateway on AWS, typed as
 * aws-lambda's Handler so `APIGatewayProxyHandlerV2` and middy handlers fit; the result may be
 * structured, a string, or any JSON value.
 */
export type HttpHandler = Handler<APIGatewayProxyEventV2, APIGatewayProxyResultV2<unknown>>;

export interface HttpRoute {
  /** `METHOD /path` as API Gateway spells it: `POST /v1/events`, `GET /v1/metrics/{name}`, `ANY /v1/{proxy+}`, or `$default`. */
  readonly routeKey: string;
  /** Shown in the Lambda context and in log lines. */
  readonly functionName: string;
  readonly handler: HttpHandler;
}

/**
 * A WebSocket route's handler. `$connect` events also carry headers and the query string, so the
 * event is typed as the message event plus those optional fields.
 */
export type WebSocketHandler = Handler<WebSocketRouteEvent, APIGatewayProxyResultV2 | undefined>;

export type WebSocketRouteEvent = APIGatewayProxyWebsocketEventV2 & {
  readonly headers?: Record<string, string | undefined>;
  readonly multiValueHeaders?: Record<string, string[] | undefined>;
  readonly requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    readonly identity: { readonly sourceIp: string; readonly userAgent?: string };
    readonly authorizer?: Readonly<Record<string, unknown>>;
    readonly disconnectStatusCode?: number;
    readonly disconnectReason?: string;
  };
};

/** A route target: a bare handler (its function name is derived from the route) or a named one. */
export type WebSocketRouteTarget =
  | WebSocketHandler
  | { readonly functionName: string; readonly handler: WebSocketHandler };

export type RequestAuthorizerHandler = Handler<APIGatewayRequestAuthorizerEvent, APIGatewayAuthorizerResult>;

export interface WebSocketAuthorizer {
  /** @default 'authorizer' */
  readonly functionName?: string;
  readonly handler: RequestAuthorizerHandler;
  /**
   * Identity sources as API Gateway spells them (`route.request.header.Authorization`,
   * `route.request.querystring.token`). When one is missing the upgrade is refused with 401 and the
   * authorizer is not called, as on AWS.
   * @default [] (the authorizer is always called)
   */
  readonly identitySource?: readonly string[];
}

export interface WebSocketOptions {
  /** Runs before `$connect`; a Deny policy refuses the upgrade with 403, throwing `Unauthorized` with 401. */
  readonly authorizer?: WebSocketAuthorizer | RequestAuthorizerHandler;
  /** `$connect`, `$disconnect`, `$default` and custom route keys. */
  readonly routes: Readonly<Record<string, WebSocketRouteTarget>>;
  /** Only `$request.body.<field>` (dotted paths allowed) is supported. @default '$request.body.action' */
  readonly routeSelectionExpression?: string;
}

export interface ComponentHealth {
  readonly healthy: boolean;
  readonly detail?: string;
}

/** Health of each component of the local stack, by name. */
export type HealthReport = Readonly<Record<string, ComponentHealth>>;

export interface CorsOptions {
  /** Exact origins, or `*`. */
  readonly allowOrigins: readonly string[];
  /** @default ['content-type', 'authorization', 'x-api-key', 'x-write-key'] */
  readonly allowHeaders?: readonly string[];
  /** @default ['GET', 'POST', 'OPTIONS'] */
  readonly allowMethods?: readonly string[];
  /** @default 600 */
  readonly maxAgeSeconds?: number;
}

export interface GatewayOptions {
  /**
   * Which of the two APIs this gateway serves: on AWS they are separate APIs, and locally the
   * HTTP API can run in several processes while WebSocket connections live in exactly one.
   * The URLs of an API not served are empty strings.
   * @default 'both'
   */
  readonly apis?: 'both' | 'http' | 'websocket';
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly httpPort?: number;
  /** 0 picks a free port. @default 0 */
  readonly wsPort?: number;
  /** @default [] */
  readonly httpRoutes?: readonly HttpRoute[];
  readonly webSocket?: WebSocketOptions;
  /** Request body cap; a larger body gets 413 and the handler is not called. @default 10 MiB (API Gateway's limit) */
  readonly bodyLimitBytes?: number;
  /** WebSocket message and @connections payload cap. @default 128 KiB (API Gateway's limit) */
  readonly messageLimitBytes?: number;
  /** Time a handler may take before the caller gets 503. @default 30000 (API Gateway's integration timeout) */
  readonly integrationTimeoutMs?: number;
  /** A built dashboard, served at `/` with fallback to index.html for client-side routes. */
  readonly staticDir?: string;
  /**
   * Headers on every file served from staticDir, as a CloudFront response headers policy adds
   * them to the site on AWS (a Content-Security-Policy, say). @default none
   */
  readonly staticHeaders?: Readonly<Record<string, string>>;
  /** Served at `GET /health`: 200 when every component is healthy, 503 otherwise. */
  readonly health?: () => Promise<HealthReport> | HealthReport;
  /** Absent: no CORS headers (same-origin dashboard). */
  readonly cors?: CorsOptions;
  /**
   * Stage names. The HTTP API's `$default` stage has no path prefix; a named one is a prefix that
   * is stripped before route matching. The WebSocket stage is the prefix of wsUrl and of the
   * management endpoint.
   * @default { http: '$default', webSocket: 'local' }
   */
  readonly stage?: { readonly http?: string; readonly webSocket?: string };
  /** Where the gateway writes its log lines. @default one line to stderr */
  readonly log?: (line: string) => void;
}

export interface RunningGateway {
  /** Base URL of the HTTP API, e.g. http://127.0.0.1:4680 (with the stage when it is not $default). */
  readonly httpUrl: string;
  /** e.g. ws://127.0.0.1:4681/local */
  readonly wsUrl: string;
  /** Endpoint for ApiGatewayManagementApiClient, e.g. http://127.0.0.1:4681/local */
  readonly managementEndpoint: string;
  /** Closes every WebSocket connection (running `$disconnect`) and both servers. */
  close(): Promise<void>;
}
