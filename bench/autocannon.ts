import { createRequire } from 'node:module';

export interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
}

interface CannonOptions {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: { method?: string; path: string; body?: string; headers?: Record<string, string> }[];
}

// autocannon ships no types; this is the part of its API the benches use.
const require = createRequire(import.meta.url);
const autocannon = require('autocannon') as (opts: CannonOptions) => Promise<CannonResult>;

export async function cannon(opts: CannonOptions): Promise<CannonResult> {
  return autocannon(opts);
}
