import { METRIC_PREFIX, ServiceMetrics } from './service-metrics';

/** What a series name may end in: its unit, or what it counts (a log position is an index). */
const UNIT_SUFFIXES = ['_total', '_seconds', '_bytes', '_events', '_positions', '_position', '_deliveries'];

describe('ServiceMetrics names', () => {
  it("start with the service's prefix and end in their unit", async () => {
    const names = (await new ServiceMetrics({ defaultMetrics: false }).registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names.length).toBeGreaterThan(10);
    const unprefixed = names.filter((name) => !name.startsWith(METRIC_PREFIX));
    const withoutUnit = names.filter((name) => !UNIT_SUFFIXES.some((suffix) => name.endsWith(suffix)));
    expect({ unprefixed, withoutUnit }).toEqual({ unprefixed: [], withoutUnit: [] });
    expect(METRIC_PREFIX).toBe('actions_');
  });

  it('prefix the process metrics too', async () => {
    const names = (await new ServiceMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names).toEqual(expect.arrayContaining(['actions_process_cpu_user_seconds_total', 'actions_nodejs_heap_size_used_bytes']));
    expect(names.filter((name) => !name.startsWith(METRIC_PREFIX))).toEqual([]);
  });
});
