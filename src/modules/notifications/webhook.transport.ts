/**
 * One webhook POST over `node:http`/`node:https` rather than `fetch`, because only these let the
 * caller decide where the socket connects: `lookup` (see `checkedLookup`) resolves the name once,
 * checks the answers and hands the socket those very addresses, while the URL's host name still
 * goes out as Host and TLS SNI and the certificate is verified against it.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';

export interface WebhookPost {
  headers: Record<string, string>;
  body: string;
  /** From the first byte sent (name resolution included) to the response's status line. */
  timeoutMs: number;
  lookup: LookupFunction;
}

/**
 * POSTs `body` to `url` once and resolves with the answer's status. Redirects are never followed
 * (a 3xx is returned like any other status), the response body is discarded unread, and the
 * connection is not pooled: a reused socket would skip the lookup and its check.
 */
export function postWebhook(url: URL, post: WebhookPost): Promise<number> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return Promise.reject(new Error(`webhook URL must be http(s), not ${url.protocol}`));
  if (url.username || url.password)
    return Promise.reject(new Error('webhook URL must not carry credentials'));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const req = send({
      method: 'POST',
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      ...(url.port ? { port: Number(url.port) } : {}),
      path: `${url.pathname}${url.search}`,
      headers: { ...post.headers, 'content-length': String(Buffer.byteLength(post.body)) },
      lookup: post.lookup,
      agent: false,
    });
    const timer = setTimeout(() => {
      const err = new Error(`webhook delivery timed out after ${post.timeoutMs} ms`);
      settle(err);
      req.destroy(err);
    }, post.timeoutMs);
    function settle(err: Error | null, status = 0): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(status);
    }
    // Stays attached after settling: destroying the socket later must not raise an unhandled 'error'.
    req.on('error', (err) => settle(err));
    req.on('response', (res) => {
      settle(null, res.statusCode ?? 0);
      res.on('error', () => undefined);
      res.destroy();
    });
    req.end(post.body);
  });
}
