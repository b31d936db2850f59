/**
 * Which optional server features exist, read once from GET /openapi.json. Parts of the product
 * (classification, candidates, SLA, notifications, analytics) land at different times; the UI
 * lights them up when their routes appear instead of hard-coding them.
 */
import { useEffect, useState } from 'react';

export interface RouteInfo {
  path: string;
  method: 'get' | 'post';
  /** Property names of a JSON request body, when the route has one. */
  bodyProps: string[];
  /** True when the route answers text/event-stream. */
  stream: boolean;
}

export interface Features {
  routes: RouteInfo[];
  classify: RouteInfo | null;
  candidates: RouteInfo | null;
  events: RouteInfo | null;
  inbox: RouteInfo | null;
  dashboard: RouteInfo | null;
  heatmap: RouteInfo | null;
  forecast: RouteInfo | null;
  staff: RouteInfo | null;
  duplicates: RouteInfo | null;
  slaDueSoon: RouteInfo | null;
  slaOverdue: RouteInfo | null;
  slaCompliance: RouteInfo | null;
  unreadCount: RouteInfo | null;
}

type Json = Record<string, unknown>;

function isJson(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bodyPropsOf(op: Json): string[] {
  const rb = op.requestBody;
  if (!isJson(rb) || !isJson(rb.content)) return [];
  const json = rb.content['application/json'];
  if (!isJson(json) || !isJson(json.schema) || !isJson(json.schema.properties)) return [];
  return Object.keys(json.schema.properties);
}

function isStream(op: Json): boolean {
  const responses = op.responses;
  if (!isJson(responses)) return false;
  return Object.values(responses).some(
    (r) => isJson(r) && isJson(r.content) && 'text/event-stream' in r.content,
  );
}

/** Lists the API's routes from an OpenAPI document. */
export function routesOf(doc: unknown): RouteInfo[] {
  if (!isJson(doc) || !isJson(doc.paths)) return [];
  const out: RouteInfo[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!isJson(ops)) continue;
    for (const method of ['get', 'post'] as const) {
      const op = ops[method];
      if (isJson(op)) out.push({ path, method, bodyProps: bodyPropsOf(op), stream: isStream(op) });
    }
  }
  return out;
}

function find(routes: RouteInfo[], method: 'get' | 'post', test: RegExp): RouteInfo | null {
  return routes.find((r) => r.method === method && test.test(r.path)) ?? null;
}

/** Picks the optional feature routes out of the route list. */
export function featuresOf(routes: RouteInfo[]): Features {
  return {
    routes,
    classify: find(routes, 'post', /^\/api\/v1\/(classify|classification(\/(classify|predict|suggest))?)$/),
    candidates: find(routes, 'get', /^\/api\/v1\/work-orders\/\{id\}\/candidates$/),
    events:
      routes.find((r) => r.method === 'get' && r.stream) ??
      find(routes, 'get', /^\/api\/v1\/(events|stream|work-orders\/(events|stream))$/),
    inbox: find(routes, 'get', /^\/api\/v1\/(inbox|notifications)$/),
    dashboard: find(routes, 'get', /^\/api\/v1\/(analytics|dashboard)(\/(dashboard|kpis?|summary))?$/),
    heatmap: find(routes, 'get', /^\/api\/v1\/(analytics|dashboard)\/heat-?map$/),
    forecast: find(routes, 'get', /^\/api\/v1\/analytics\/forecast$/),
    staff: find(routes, 'get', /^\/api\/v1\/(users|staff)$/),
    duplicates: find(routes, 'get', /^\/api\/v1\/work-orders\/\{id\}\/(duplicates|similar)$/),
    slaDueSoon: find(routes, 'get', /^\/api\/v1\/sla\/due-soon$/),
    slaOverdue: find(routes, 'get', /^\/api\/v1\/sla\/overdue$/),
    slaCompliance: find(routes, 'get', /^\/api\/v1\/sla\/compliance$/),
    unreadCount: find(routes, 'get', /^\/api\/v1\/(inbox|notifications)\/unread-count$/),
  };
}

let cached: Promise<Features> | null = null;

/** The features of the running server (fetched once per page load; none when the document is missing). */
export function loadFeatures(): Promise<Features> {
  cached ??= fetch('/openapi.json', { credentials: 'include' })
    .then((r) => (r.ok ? (r.json() as Promise<unknown>) : null))
    .then((doc) => featuresOf(routesOf(doc)))
    .catch(() => featuresOf([]));
  return cached;
}

/** React hook: the server's features, or null while loading. */
export function useFeatures(): Features | null {
  const [f, setF] = useState<Features | null>(null);
  useEffect(() => {
    let live = true;
    void loadFeatures().then((x) => {
      if (live) setF(x);
    });
    return () => {
      live = false;
    };
  }, []);
  return f;
}
