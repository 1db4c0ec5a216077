/**
 * Turns tracing on for the example's scripts when `OTEL_TRACES_EXPORTER` (OpenTelemetry's own
 * variable) names `console`: each span is printed as it ends. Otherwise nothing is registered
 * and the OpenTelemetry API records nothing. In production, register `@opentelemetry/sdk-node`
 * with an OTLP exporter here instead, at the same point (first thing in `main`).
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Whether `OTEL_TRACES_EXPORTER` (a comma-separated list) asks for the console exporter. */
export function wantsConsoleTraces(env: NodeJS.ProcessEnv): boolean {
  return (env.OTEL_TRACES_EXPORTER ?? '').split(',').some((name) => name.trim() === 'console');
}

/** Registers the console tracer when asked (see the file comment); says whether it did. */
export function startTelemetry(env: NodeJS.ProcessEnv): boolean {
  if (!wantsConsoleTraces(env)) return false;
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] }));
  // The active span follows async code (the processor's awaits, the zip's requests).
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // BullMQ carries the producer's trace in the job through the global propagator (W3C traceparent).
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return true;
}
