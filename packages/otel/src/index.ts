/**
 * `@etcdkit/otel`: OpenTelemetry tracing for etcdkit's transports (and any Connect transport): a
 * Connect interceptor that records one client span per etcd RPC with etcd's attributes.
 * `@opentelemetry/api` is a peer dependency; bring your own SDK and exporter.
 *
 * @packageDocumentation
 *
 * @example
 * ```ts
 * import { createTransport } from "@etcdkit/transport";
 * import { createTracingInterceptor } from "@etcdkit/otel";
 *
 * const transport = createTransport({ endpoints: ["http://127.0.0.1:2379"], interceptors: [createTracingInterceptor()] });
 * ```
 */
export { createTracingInterceptor, type TracingOptions } from "./tracing-interceptor.js";
export type { KeyRecording } from "./etcd-attributes.js";
