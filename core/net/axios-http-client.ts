import axios, { type AxiosInstance } from 'axios';
import { classifyNetworkError, HttpFailure, type HttpClient, type HttpRequest } from './http-client';

/** The network door over axios (honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment). */
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
