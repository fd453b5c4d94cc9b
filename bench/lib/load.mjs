// One autocannon run (programmatic API), bounded by duration or by request count, reduced to the numbers
// the table shows. Errors are every answer that is not 2xx plus socket errors and timeouts.
import autocannon from 'autocannon';

/**
 * @param {{ url: string, connections: number, duration?: number, amount?: number, request: object }} options
 */
export async function drive({ url, connections, duration, amount, request }) {
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    sampleInt: 100, // autocannon stops on a sample tick; the default 1 s would pad short windows
    timeout: 10,
    ...(amount ? { amount } : { duration }),
    requests: [request],
  });
  // result.duration is rounded to whole seconds; start/finish are exact.
  const seconds = Math.max(0.001, (new Date(result.finish).getTime() - new Date(result.start).getTime()) / 1000);
  return {
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    statusCodes: result.statusCodeStats,
  };
}
