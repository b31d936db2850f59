/**
 * A webhook URL as people are shown it (pure): the audit chain and the subscription listings
 * keep its scheme, host, port and path, never its query, fragment or user info, where endpoints
 * commonly carry their access tokens (`?token=…`, `?key=…`). Deliveries use the URL as stored.
 */
export function redactedWebhookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '[unreadable URL]';
  }
  const hidden = u.search.length > 1 || u.hash.length > 1 || u.username !== '' || u.password !== '';
  // The host as the URL parser wrote it (IDN in punycode, IPv6 in brackets), with no user info.
  return `${u.protocol}//${u.host}${u.pathname}${hidden ? '?[redacted]' : ''}`;
}
