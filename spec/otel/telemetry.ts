import type { Attributes } from '@opentelemetry/api';
import { type DataPoint, type Histogram, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** A reader collected on demand (no export interval). */
class OnDemandReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** One metric's data points, as a test reads them. */
export type Points = readonly DataPoint<number | Histogram>[];

/** An SDK in memory: a tracer provider whose spans end up in `spans()`, a meter provider read by `metric(name)`. */
export interface TestTelemetry {
  readonly tracerProvider: BasicTracerProvider;
  readonly meterProvider: MeterProvider;
  spans(): ReadableSpan[];
  collect(): Promise<ResourceMetrics>;
  metric(name: string): Promise<Points>;
  shutdown(): Promise<void>;
}

export function testTelemetry(): TestTelemetry {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const collect = async (): Promise<ResourceMetrics> => (await reader.collect()).resourceMetrics;
  return {
    tracerProvider,
    meterProvider,
    spans: () => exporter.getFinishedSpans(),
    collect,
    metric: async (name) => {
      const metrics = (await collect()).scopeMetrics.flatMap((scope) => scope.metrics);
      return metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as Points);
    },
    shutdown: async () => {
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}

/** A counter's value for the points whose attributes include `where`, summed. */
export function sumWhere(points: Points, where: Attributes): number {
  return points
    .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
    .reduce((sum, p) => sum + (typeof p.value === 'number' ? p.value : p.value.count), 0);
}
