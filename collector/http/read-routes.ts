/**
 * The read side: the dashboard, the summary API (with an ETag over its exact bytes), the service's
 * own facts, Prometheus metrics and the health check.
 */
import { createHash } from 'node:crypto';
import { PAYLOAD_SCHEMA_VERSION } from '../../shared/schema/payload';
import { DASHBOARD_CSP, renderDashboard } from '../dashboard/page';
import type { Limits } from '../limits';
import type { Metrics } from '../metrics';
import type { CollectorClock } from '../platform';
import { RETENTION_DAYS, RETENTION_MS } from '../retention';
import type { Store } from '../store/types';
import { K_ANONYMITY } from '../summary/threshold';
import type { DaySummary } from '../summary/types';
import { sendJson, sendText } from './respond';
import type { ReadHandlers } from './server';

const DEFAULT_SUMMARY_DAYS = 90;

export interface ReadDeps {
  store: Store;
  limits: Limits;
  metrics: Metrics;
  clock: CollectorClock;
  /** The stored summary bodies of the last `days` days, brought up to date first. */
  summaries: (days: number) => Promise<string[]>;
  /** Reports waiting in the writer's queue. */
  queueDepth: () => number;
}

export function createReadHandlers({ store, limits, metrics, clock, summaries, queueDepth }: ReadDeps): ReadHandlers {
  return {
    async summary(req, res) {
      const requested = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('days') ?? DEFAULT_SUMMARY_DAYS);
      const days = Number.isInteger(requested) && requested >= 1 && requested <= 3660 ? requested : DEFAULT_SUMMARY_DAYS;
      const bodies = await summaries(days);
      // Stored bodies are deterministic JSON: concatenating them keeps the bytes (and the ETag) stable.
      const text = `{"retentionDays":${RETENTION_DAYS},"kAnonymity":${K_ANONYMITY},"days":[${bodies.join(',')}]}`;
      const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'no-cache' }).end();
        return;
      }
      sendText(res, 200, text, 'application/json; charset=utf-8', { etag, 'cache-control': 'no-cache' });
    },
    async dashboard(_req, res) {
      const days = (await summaries(DEFAULT_SUMMARY_DAYS)).map((b) => JSON.parse(b) as DaySummary);
      sendText(res, 200, renderDashboard(days, { retentionDays: RETENTION_DAYS }), 'text/html; charset=utf-8', { 'content-security-policy': DASHBOARD_CSP });
    },
    meta(_req, res) {
      return Promise.resolve(
        sendJson(res, 200, {
          retentionDays: RETENTION_DAYS,
          retentionSeconds: RETENTION_MS / 1000,
          kAnonymity: K_ANONYMITY,
          payloadSchemaVersion: PAYLOAD_SCHEMA_VERSION,
          store: store.kind,
          maxBodyBytes: limits.maxBodyBytes,
          instanceWritesPerDay: limits.instanceWritesPerDay,
          storesIpAddresses: false,
        }),
      );
    },
    async metrics(_req, res) {
      const oldest = await store.oldestReceivedAt().catch(() => null);
      sendText(
        res,
        200,
        metrics.render({
          queueDepth: queueDepth(),
          oldestRawAgeSeconds: oldest === null ? null : Math.max(0, (clock.now() - oldest) / 1000),
          retentionDays: RETENTION_DAYS,
          pendingDays: await store.pendingDays().catch(() => 0),
        }),
        'text/plain; version=0.0.4; charset=utf-8',
      );
    },
    async health(_req, res) {
      try {
        await store.ping();
        sendJson(res, 200, { status: 'ok', queueDepth: queueDepth() });
      } catch {
        sendJson(res, 503, { status: 'store unavailable' });
      }
    },
  };
}
