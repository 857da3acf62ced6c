import axios, { type AxiosInstance } from 'axios';
import type { ErrorClass } from './api/contract';

/**
 * The one door to the network. Sources and the sender depend on this interface; the default
 * implementation is axios (which honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment).
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Hard limit on the whole exchange, connect to last byte. */
  timeoutMs: number;
  /** Stop reading once the body so far matches: for event streams that never end. */
  readUntil?: RegExp;
  /** Responses longer than this are cut (and `truncated` set). */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated?: boolean;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** A transport failure, already reduced to a class: the raw error text (hosts, IPs) never travels on. */
export class HttpFailure extends Error {
  constructor(readonly errorClass: ErrorClass) {
    super(ERROR_MESSAGES[errorClass]);
    this.name = 'HttpFailure';
  }
}

/** Fixed wording per class: safe to show, log and store. */
export const ERROR_MESSAGES: Record<ErrorClass, string> = {
  timeout: 'no answer in time',
  unreachable: 'could not connect',
  dns: 'the address could not be resolved',
  'connection-reset': 'the connection was cut',
  tls: 'the secure connection failed (certificate problem)',
  'http-4xx': 'the request was refused',
  'http-5xx': 'the server had an error',
  'rate-limited': 'asked to slow down',
  'refused-by-guard': 'refused by the privacy guard',
  'invalid-endpoint': 'the address is not allowed',
  'no-answer': 'no answer: the collector may have received it',
  unexpected: 'unexpected error',
};

export function classifyNetworkError(error: unknown): ErrorClass {
  const code = (error as { code?: string } | null)?.code ?? '';
  const name = (error as { name?: string } | null)?.name ?? '';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED' || name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_BAD_RESPONSE' || code === 'HPE_INVALID_CONSTANT' || code === 'ECONNABORTED_BY_PEER') return 'connection-reset';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) return 'tls';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  return 'unexpected';
}

export function createAxiosHttpClient(instance: AxiosInstance = axios.create()): HttpClient {
  return {
    async request(req) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), req.timeoutMs);
      try {
        const response = await instance.request({
          method: req.method,
          url: req.url,
          headers: req.headers,
          // Sent exactly as given: no re-serialization may touch the bytes.
          data: req.body,
          transformRequest: [(data: unknown) => data],
          responseType: 'stream',
          validateStatus: () => true,
          maxRedirects: 0,
          signal: controller.signal,
          decompress: true,
        });
        const { body, truncated } = await readBody(response.data as NodeJS.ReadableStream, req, controller);
        const headers: Record<string, string> = {};
        for (const [key, value] of Object.entries(response.headers ?? {})) {
          if (value !== undefined && value !== null) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
        }
        return { status: response.status, headers, body, truncated };
      } catch (error) {
        if (error instanceof HttpFailure) throw error;
        throw new HttpFailure(controller.signal.aborted ? 'timeout' : classifyNetworkError(error));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function readBody(stream: NodeJS.ReadableStream, req: HttpRequest, controller: AbortController): Promise<{ body: string; truncated: boolean }> {
  const limit = req.maxBytes ?? 8 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        controller.abort();
        return { body: Buffer.concat(chunks).subarray(0, limit).toString('utf8'), truncated: true };
      }
      if (req.readUntil && req.readUntil.test(Buffer.concat(chunks).toString('utf8'))) {
        controller.abort();
        return { body: Buffer.concat(chunks).toString('utf8'), truncated: false };
      }
    }
  } catch (error) {
    if (controller.signal.aborted && req.readUntil) {
      // The stream ended because we stopped it after the deadline: report what arrived.
      throw new HttpFailure('timeout');
    }
    throw error;
  }
  return { body: Buffer.concat(chunks).toString('utf8'), truncated: false };
}
